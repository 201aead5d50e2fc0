/**
 * Quick start: the seed's set-up (a required `summariser`, an optional `bns_check`) on the core alone.
 * Writes a small models folder, pins the summariser's checksum, loads both in parallel with retries,
 * and prints what `/health` would answer. `bns_check` is missing on purpose: the service is degraded,
 * not dead.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoader, toHealthWire } from '@model-loader/core';

const modelDir = join(import.meta.dirname, '..', 'models');
await mkdir(modelDir, { recursive: true });
const weights = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(60)]);
weights.writeUInt32LE(3, 4);
await writeFile(join(modelDir, 'summariser.gguf'), weights);
const digest = createHash('sha256').update(weights).digest('hex');

let flakyCalls = 0;
const loader = new ModelLoader({
  modelDir,
  logger: {
    debug() {},
    info: (data, message) => console.log(`info  ${message}`, data),
    warn: (data, message) => console.log(`warn  ${message}`, data),
    error: (data, message) => console.log(`error ${message}`, data),
  },
})
  .register({
    name: 'summariser',
    path: 'summariser.gguf',
    checksum: `sha256:${digest}`,
    attempts: 3,
    adapter: {
      kind: 'file',
      format: 'gguf',
      // Fails once, like a GPU that is still busy, then succeeds on the retry 0.5 s later.
      async load(path) {
        flakyCalls++;
        if (flakyCalls === 1) throw new Error('device busy');
        return { path, summarise: (text: string) => text.split('.')[0] };
      },
    },
  })
  .register({
    name: 'bns_check',
    path: 'BNS-RAG-q4k.gguf',
    required: false,
    adapter: async () => ({ check: () => true }),
  });

const results = await loader.loadAll({ parallel: true });
for (const result of Object.values(results)) {
  console.log(
    `${result.name}: ${result.ok ? 'loaded' : `failed (${result.error?.code})`} in ${Math.round(result.durationInMs)} ms`,
  );
}
console.log('summary:', loader.get('summariser').summarise('Models load. Servers stay up.'));
console.log('GET /health ->', JSON.stringify(toHealthWire(loader.getHealthStatus()), null, 2));
await loader.close();
