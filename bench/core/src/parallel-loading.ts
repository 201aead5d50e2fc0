import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoader } from '@model-loader/core';
import { median } from './median.js';

const loaderTimeInMs = 300;
const modelCount = 3;

/** A loader that takes the same time for every model, as the seed's three ~30 s loads did. */
async function waitingLoader(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, loaderTimeInMs));
  return 'model';
}

async function timeLoadAll(dir: string, parallel: boolean): Promise<number> {
  const loader = new ModelLoader({ modelDir: dir, loadConcurrency: modelCount });
  for (let i = 0; i < modelCount; i++)
    loader.register({ name: `m${i}`, path: `m${i}.bin`, adapter: waitingLoader });
  const started = performance.now();
  await loader.loadAll({ parallel });
  const elapsed = performance.now() - started;
  await loader.close();
  return elapsed;
}

/** Parallel vs sequential `loadAll` of 3 models whose loaders each take the same time. Target >= 2.8. */
export async function benchParallelLoading(dir: string, runs = 5): Promise<Record<string, number>> {
  for (let i = 0; i < modelCount; i++) await writeFile(join(dir, `m${i}.bin`), 'weights');
  const sequential: number[] = [];
  const parallel: number[] = [];
  for (let run = 0; run < runs; run++) {
    sequential.push(await timeLoadAll(dir, false));
    parallel.push(await timeLoadAll(dir, true));
  }
  const sequentialMedian = median(sequential);
  const parallelMedian = median(parallel);
  return {
    loaderTimeInMs,
    sequentialMedianInMs: sequentialMedian,
    parallelMedianInMs: parallelMedian,
    speedup: sequentialMedian / parallelMedian,
  };
}
