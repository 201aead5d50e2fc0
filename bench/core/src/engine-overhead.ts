import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoader } from '@model-loader/core';
import { median } from './median.js';

const modelCount = 100;

/**
 * Registers and loads 100 small files with validation on and checksums off; subtracts the time spent
 * inside the loaders themselves. Target: median < 1 ms per model.
 */
export async function benchEngineOverhead(dir: string, runs = 7): Promise<Record<string, number>> {
  const header = Buffer.alloc(64);
  header.write('GGUF', 0, 'latin1');
  header.writeUInt32LE(3, 4);
  await Promise.all(
    Array.from({ length: modelCount }, (_, i) => writeFile(join(dir, `m${i}.gguf`), header)),
  );
  const perModel: number[] = [];
  for (let run = 0; run < runs; run++) {
    let loaderTime = 0;
    const loader = async () => {
      const started = performance.now();
      const model = { loadedAt: Date.now() };
      loaderTime += performance.now() - started;
      return model;
    };
    const started = performance.now();
    const engine = new ModelLoader({ modelDir: dir, validateChecksums: false, loadConcurrency: 4 });
    for (let i = 0; i < modelCount; i++) {
      engine.register({
        name: `m${i}`,
        path: `m${i}.gguf`,
        adapter: { kind: 'file', format: 'gguf', load: loader },
      });
    }
    const results = await engine.loadAll();
    const elapsed = performance.now() - started - loaderTime;
    if (Object.values(results).some((result) => !result.ok))
      throw new Error('a model failed to load');
    await engine.close();
    perModel.push(elapsed / modelCount);
  }
  return {
    models: modelCount,
    medianOverheadPerModelInMs: median(perModel),
    worstRunPerModelInMs: Math.max(...perModel),
  };
}
