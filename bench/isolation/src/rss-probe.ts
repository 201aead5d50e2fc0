// One measurement of bench/isolation's rss.bench.ts, in a fresh process so that neither isolation
// mode sees what the other left behind: this process's RSS before a ModelLoader loads the three
// kinds, after one request of each, and after unloading them all. Forked with
// `<modelDir> <process|none>` and `--expose-gc`; sends its figures to the parent over IPC.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { IsolationMode } from '@model-loader/core';
import {
  createThreeKindsAdapters,
  createThreeKindsLoader,
  renderOcrLine,
  threeKindsNames,
  useThreeKinds,
} from './three-kinds.js';

/** RSS once garbage the measurement itself made is collected. */
async function settledRss(): Promise<number> {
  for (let pass = 0; pass < 3; pass++) {
    (globalThis as { gc?: () => void }).gc?.();
    await nextTurn();
  }
  return process.memoryUsage().rss;
}

const [dir, isolation] = process.argv.slice(2) as [string, IsolationMode];
// The image is the client's: rendered (and sharp initialised) before the baseline.
const image = await renderOcrLine();
const loader = createThreeKindsLoader(dir, isolation, createThreeKindsAdapters());
const beforeInBytes = await settledRss();
const results = await loader.loadAll();
for (const name of threeKindsNames) {
  if (!results[name]?.ok) throw new Error(`${name} did not load: ${results[name]?.error}`);
}
await useThreeKinds(loader, image);
const loadedInBytes = await settledRss();
const childrenInBytes = threeKindsNames.reduce(
  (sum, name) => sum + (loader.getModelInfo(name).process?.rssInBytes ?? 0),
  0,
);
for (const name of threeKindsNames) await loader.unload(name);
const afterInBytes = await settledRss();
await loader.close();
process.send?.({ beforeInBytes, loadedInBytes, afterInBytes, childrenInBytes });
