import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGgufAdapter, type GgufModelHandle } from '@model-loader/adapter-gguf';
import { ModelLoader, silentLogger } from '@model-loader/core';
import { writeTinyGguf } from '@model-loader/fixtures';

// The scheduler on the real runtime (node-llama-cpp, CPU, 1 thread, in process).
// 1. Cold on-demand first request: the time from `use` on an idle model until the call runs,
//    against the adapter's own `load` called directly (node-llama-cpp without our layer), in
//    alternating rounds. Target: <= 1.05x.
// 2. Round-robin over 3 models from 3 clients when the budget holds 2 (evictions) and when it
//    holds 3 (none): requests/s and p95 latency of 1-token completions.
const rounds = Number(process.env.BENCH_RUNS ?? 7);
const requests = Number(process.env.BENCH_REQUESTS ?? 30);
const adapter = createGgufAdapter({ gpu: false, threadCount: 1 });
const llama = await adapter.getLlama();
const options = { contextSize: 256 };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

const dir = await mkdtemp(join(tmpdir(), 'bench-scheduler-'));
try {
  const names = ['m0', 'm1', 'm2'];
  for (const name of names) {
    await writeTinyGguf(join(dir, `${name}.gguf`), { embeddingLength: 128, layerCount: 2 });
  }
  const context = {
    modelName: 'm0',
    attempt: 1,
    signal: new AbortController().signal,
    logger: silentLogger,
    onProgress: () => {},
    onModelFailed: () => {},
  };
  const loaderFor = (budget: number) => {
    let loader = new ModelLoader({
      modelDir: dir,
      memoryBudgetInBytes: budget,
      checksumCacheDirectory: false,
    }) as ModelLoader<Record<string, GgufModelHandle>>;
    for (const name of names) {
      loader = loader.register({
        name,
        path: `${name}.gguf`,
        adapter,
        options,
        load: 'on-demand',
      }) as typeof loader;
    }
    return loader;
  };

  // 1. Cold first request vs a direct load.
  const direct: number[] = [];
  const onDemand: number[] = [];
  const measureDirect = async () => {
    const started = performance.now();
    const handle = await adapter.load(join(dir, 'm0.gguf'), options, context);
    const elapsed = performance.now() - started;
    await adapter.dispose?.(handle);
    return elapsed;
  };
  const measureOnDemand = async () => {
    const loader = loaderFor(Number.POSITIVE_INFINITY);
    await loader.loadAll();
    const started = performance.now();
    const elapsed = await loader.use('m0', () => performance.now() - started);
    await loader.close();
    return elapsed;
  };
  // Alternate which side goes first, so neither always runs on a just-freed heap.
  for (let round = 0; round <= rounds; round++) {
    const first = round % 2 === 0;
    const a = first ? await measureDirect() : await measureOnDemand();
    const b = first ? await measureOnDemand() : await measureDirect();
    if (round === 0) continue; // warm-up
    direct.push(first ? a : b);
    onDemand.push(first ? b : a);
  }
  const ratio = median(onDemand) / median(direct);
  console.log(`cold on-demand first request, ${rounds} rounds, medians`);
  console.log(
    `  adapter load directly ${median(direct).toFixed(1)} ms  on-demand use ${median(onDemand).toFixed(1)} ms  ratio ${ratio.toFixed(3)} (target <= 1.05)`,
  );

  // 2. Round-robin over three models from three clients.
  const probe = loaderFor(Number.POSITIVE_INFINITY);
  await probe.loadAll();
  const estimate = probe.getModelInfo('m0').memoryEstimateInBytes ?? 0;
  await probe.close();
  for (const [label, budget] of [
    ['room for 2 of 3', Math.floor(estimate * 2.5)],
    ['room for 3 of 3', Math.floor(estimate * 3.5)],
  ] as const) {
    const loader = loaderFor(budget);
    await loader.loadAll();
    let evictions = 0;
    loader.on('scheduled', (event) => {
      if (event.reason === 'evicted') evictions++;
    });
    const latencies: number[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      [0, 1, 2].map(async () => {
        while (next < requests) {
          const name = names[next++ % names.length]!;
          const sent = performance.now();
          await loader.use(name, (model) => model.complete('hello', { maxTokens: 1 }));
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `round-robin ${label}: ${requests} requests, ${(requests / seconds).toFixed(1)} req/s, p95 ${percentile(latencies, 95).toFixed(1)} ms, p50 ${percentile(latencies, 50).toFixed(1)} ms, evictions ${evictions}`,
    );
    await loader.close();
  }
} finally {
  await llama.dispose();
  await rm(dir, { recursive: true, force: true });
}
