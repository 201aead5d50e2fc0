import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGgufAdapter, inspectGgufFile } from '@model-loader/adapter-gguf';
import { ModelLoader } from '@model-loader/core';
import { benchmarkGgufOptions, writeTinyGguf } from '@model-loader/fixtures';
import { getLlama, LlamaCompletion, readGgufFileInfo } from 'node-llama-cpp';

const runs = Number(process.env.BENCH_RUNS ?? 9);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const format = (ms: number) => `${ms.toFixed(2)} ms`;

const dir = await mkdtemp(join(tmpdir(), 'bench-gguf-load-'));
try {
  // A model large enough that loading is real work: 4 layers, width 256, 32k tokens, F16 (~40 MB).
  const modelSize = await writeTinyGguf(join(dir, 'model.gguf'), benchmarkGgufOptions);
  const vocabularySize = await writeTinyGguf(join(dir, 'large-vocabulary.gguf'), {
    vocabularySize: 150_000,
    embeddingLength: 8,
    headCount: 2,
    headCountKv: 1,
    feedForwardLength: 8,
  });

  const llama = await getLlama({ build: 'never', gpu: false, maxThreads: 1 });
  const adapter = createGgufAdapter({ llama, gpu: false, threadCount: 1, contextSize: 512 });
  const path = join(dir, 'model.gguf');

  const direct: number[] = [];
  const throughCore: number[] = [];
  for (let run = 0; run < runs + 1; run++) {
    // Alternate the order so page cache and warm-up favour neither side; run 0 is a warm-up.
    for (const side of run % 2 === 0 ? ['direct', 'core'] : ['core', 'direct']) {
      if (side === 'direct') {
        const started = performance.now();
        const model = await llama.loadModel({ modelPath: path });
        const context = await model.createContext({ contextSize: 512, threads: 1 });
        const elapsed = performance.now() - started;
        await context.dispose();
        await model.dispose();
        if (run > 0) direct.push(elapsed);
      } else {
        const loader = new ModelLoader({ modelDir: dir }).register({
          name: 'model',
          path: 'model.gguf',
          adapter: adapter,
        });
        const started = performance.now();
        await loader.load('model');
        const elapsed = performance.now() - started;
        await loader.close();
        if (run > 0) throughCore.push(elapsed);
      }
    }
  }

  const preflight: number[] = [];
  const metadataRead: number[] = [];
  const largePath = join(dir, 'large-vocabulary.gguf');
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    await inspectGgufFile(largePath);
    preflight.push(performance.now() - started);
    started = performance.now();
    await readGgufFileInfo(largePath);
    metadataRead.push(performance.now() - started);
  }

  // Generation speed with the adapter's default threads (available parallelism) and with
  // node-llama-cpp's CPU default of max(cores, 4).
  const speed = async (threads: number) => {
    const unlimited = await getLlama({ build: 'never', gpu: false, maxThreads: 0 });
    const model = await unlimited.loadModel({ modelPath: path });
    const context = await model.createContext({ contextSize: 512, threads });
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    const started = performance.now();
    await completion.generateCompletion('hello', { maxTokens: 32 });
    const elapsed = performance.now() - started;
    await context.dispose();
    await model.dispose();
    return (32 * 1000) / elapsed;
  };
  const cores = availableParallelism();
  const ownDefault = await speed(cores);
  const libraryDefault = await speed(Math.max(cores, 4));

  const ratio = median(throughCore) / median(direct);
  // Each run loads both ways back to back: the median of the per-run ratios cancels slow drifts
  // of a shared machine's load.
  const pairedRatio = median(
    throughCore.map((core, index) => core / (direct[index] ?? Number.NaN)),
  );
  console.log(`model: ${(modelSize / 1e6).toFixed(1)} MB F16, ${runs} runs each (medians)`);
  console.log(`llama.loadModel + createContext: ${format(median(direct))}`);
  console.log(
    `through the core (validation + preflight + GgufInsights estimate from the preflight's parse + load): ${format(median(throughCore))}`,
  );
  console.log(`ratio core / direct: ${ratio.toFixed(3)} (target <= 1.05)`);
  console.log(`median of the per-run ratios: ${pairedRatio.toFixed(3)}`);
  console.log(
    `preflight, 150k-token vocabulary (${(vocabularySize / 1e6).toFixed(1)} MB file): ${format(median(preflight))}`,
  );
  console.log(`node-llama-cpp readGgufFileInfo on the same file: ${format(median(metadataRead))}`);
  console.log(`generation, ${cores} threads (adapter default): ${ownDefault.toFixed(1)} tokens/s`);
  console.log(
    `generation, ${Math.max(cores, 4)} threads (node-llama-cpp CPU default): ${libraryDefault.toFixed(1)} tokens/s (${(ownDefault / libraryDefault).toFixed(1)}x slower)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
