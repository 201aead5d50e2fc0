import { basename, dirname } from 'node:path';
import { ModelLoader } from '@model-loader/core';

// Child process of the benchmark: a server's start-up in miniature. It registers one model per file
// (argument pairs `<file> <sha256>`), each with its pinned checksum and a loader that does nothing,
// and times `loadAll`, so what it measures is the engine's validation and verification of the files
// from a cold start (hash workers not started, no fingerprint cache). Prints JSON on stdout.
const pairs: [string, string][] = [];
for (let index = 2; index < process.argv.length; index += 2) {
  pairs.push([process.argv[index]!, process.argv[index + 1]!]);
}
const modelDir = dirname(pairs[0]![0]);
let loader = new ModelLoader({ modelDir, checksumCacheDirectory: false });
for (const [index, [file, digest]] of pairs.entries()) {
  loader = loader.register({
    name: `model-${index}`,
    path: basename(file),
    checksum: `sha256:${digest}`,
    adapter: async () => 'loaded',
  });
}
const cpuBefore = process.cpuUsage();
const started = performance.now();
await loader.loadAll();
const wallInSeconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const health = loader.getHealthStatus();
await loader.close();
if (health.loadedCount !== pairs.length) {
  throw new Error(`expected ${pairs.length} loaded models: ${JSON.stringify(health)}`);
}
process.stdout.write(
  `${JSON.stringify({ wallInSeconds, cpuInSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
);
