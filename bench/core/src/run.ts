import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEngineOverhead } from './engine-overhead.js';
import { benchParallelLoading } from './parallel-loading.js';

const dir = await mkdtemp(join(tmpdir(), 'bench-core-'));
try {
  const parallel = await benchParallelLoading(await mkdtemp(join(dir, 'p-')));
  console.log(
    'engine-overhead probe, parallel vs sequential loadAll (3 models whose loaders only wait; real runtimes: bench/isolation):',
    parallel,
  );
  console.log(`  speedup ${parallel.speedup!.toFixed(2)} (target >= 2.8)`);
  const overhead = await benchEngineOverhead(await mkdtemp(join(dir, 'o-')));
  console.log('engine overhead (100 files, validation on, checksums off):', overhead);
  console.log(
    `  median ${overhead.medianOverheadPerModelInMs!.toFixed(3)} ms per model (target < 1 ms)`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
