// Child of the native-crash test: loads the GGUF named on the command line (node-llama-cpp's
// default mmap), generates, prints `ready`, then generates once more for each line on stdin and
// prints `generated`. A native crash kills this process; the parent sees the signal.
import { createInterface } from 'node:readline';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';

const llama = await getLlama({ build: 'never', gpu: false, maxThreads: 1, logLevel: 'disabled' });
const model = await llama.loadModel({ modelPath: process.argv[2] });
const context = await model.createContext({ contextSize: 256, threads: 1 });
const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
await completion.generateCompletion('hi', { maxTokens: 2 });
process.stdout.write('ready\n');
for await (const _ of createInterface({ input: process.stdin })) {
  await completion.generateCompletion('hello', { maxTokens: 2 });
  process.stdout.write('generated\n');
}
