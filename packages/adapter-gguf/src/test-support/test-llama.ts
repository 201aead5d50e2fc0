import { getLlama, type Llama } from 'node-llama-cpp';

let llamaPromise: Promise<Llama> | undefined;

/** One CPU-only, single-thread Llama per test file (many threads on 2 shared cores is very slow). */
export function getTestLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({ build: 'never', gpu: false, maxThreads: 1 });
  return llamaPromise;
}
