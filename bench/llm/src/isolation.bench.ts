import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGgufAdapter, type GgufModelHandle } from '@model-loader/adapter-gguf';
import { type IsolationMode, ModelLoader, type Remote } from '@model-loader/core';
import { writeTinyGguf } from '@model-loader/fixtures';

// The cost of the process boundary: the same GGUF model, loaded once in this process and once in
// its own model process (`isolation: 'process'`), generating the same greedy completion in
// alternating rounds. Tokens/s and time to first chunk are measured from the caller's side (the
// isolated figure includes IPC). CPU, 1 thread on both sides.
const rounds = Number(process.env.BENCH_RUNS ?? 7);
const maxTokens = Number(process.env.BENCH_TOKENS ?? 128);
const prompt = 'The model loader checks every file before a native runtime touches it, so';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function measure(model: Remote<GgufModelHandle>) {
  const started = performance.now();
  let firstChunkAt: number | undefined;
  const stream = model.streamComplete(prompt, { maxTokens, temperature: 0 });
  for await (const _chunk of stream) firstChunkAt ??= performance.now();
  const result = await stream.result;
  const ended = performance.now();
  const first = firstChunkAt ?? ended;
  return {
    timeToFirstChunkInMs: first - started,
    tokensPerSecond: ((result.usage.completionTokens - 1) * 1000) / (ended - first),
  };
}

const dir = await mkdtemp(join(tmpdir(), 'bench-isolation-'));
try {
  await writeTinyGguf(join(dir, 'model.gguf'), {
    embeddingLength: 256,
    headCount: 4,
    headCountKv: 4,
    feedForwardLength: 1024,
    layerCount: 4,
  });
  const loaderFor = (isolation: IsolationMode) =>
    new ModelLoader({
      modelDir: dir,
      isolation,
      processes: { estimateTimeoutInMs: 300_000 },
    }).register({
      name: 'model',
      path: 'model.gguf',
      adapter: createGgufAdapter({ gpu: false, threadCount: 1 }),
      options: { contextSize: 512 },
    });
  const inProcess = loaderFor('none');
  const isolated = loaderFor('process');
  const local = (await inProcess.load('model')) as Remote<GgufModelHandle>;
  const remote = (await isolated.load('model')) as Remote<GgufModelHandle>;
  await measure(local);
  await measure(remote);
  const results = {
    none: [] as Awaited<ReturnType<typeof measure>>[],
    process: [] as Awaited<ReturnType<typeof measure>>[],
  };
  for (let round = 0; round < rounds; round++) {
    results.none.push(await measure(local));
    results.process.push(await measure(remote));
  }
  const tps = (mode: 'none' | 'process') => median(results[mode].map((r) => r.tokensPerSecond));
  const ttft = (mode: 'none' | 'process') =>
    median(results[mode].map((r) => r.timeToFirstChunkInMs));
  console.log(`rounds ${rounds}, ${maxTokens} tokens each, median of each side`);
  console.log(
    `tokens/s      in process ${tps('none').toFixed(1)}  isolated ${tps('process').toFixed(1)}  ratio ${(tps('process') / tps('none')).toFixed(3)}`,
  );
  console.log(
    `first chunk   in process ${ttft('none').toFixed(2)} ms  isolated ${ttft('process').toFixed(2)} ms  overhead ${(ttft('process') - ttft('none')).toFixed(2)} ms`,
  );
  const info = isolated.getModelInfo('model');
  console.log(
    `model process rss after load ${((info.process?.rssInBytes ?? 0) / 2 ** 20).toFixed(1)} MiB, estimate ${((info.memoryEstimateInBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`,
  );
  const rssBefore = process.memoryUsage.rss();
  await isolated.close();
  await inProcess.close();
  console.log(
    `caller rss ${(rssBefore / 2 ** 20).toFixed(1)} MiB before close, ${(process.memoryUsage.rss() / 2 ** 20).toFixed(1)} MiB after`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
