// The server under test, run in its own process so autocannon does not share its event loop.
// HASHER=worker hashes in worker threads (core's createChecksumVerifier), HASHER=main streams on
// the main thread (core's streamingChecksumVerifier), for comparison.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChecksumVerifier, ModelLoader, streamingChecksumVerifier } from '@model-loader/core';
import { modelLoaderPlugin } from '@model-loader/fastify';
import Fastify from 'fastify';

const gib = 1024 ** 3;
const hasher = process.env.HASHER === 'main' ? 'main' : 'worker';
const dir = await mkdtemp(join(tmpdir(), 'bench-health-'));
const header = Buffer.alloc(64);
header.write('GGUF', 0, 'latin1');
header.writeUInt32LE(3, 4);
await writeFile(join(dir, 'tiny.gguf'), header);
// A sparse 1 GiB file: the reads are real (1 GiB through the hash), the disk is not filled.
const big = await open(join(dir, 'big.gguf'), 'w');
await big.write(header, 0, header.length, 0);
await big.truncate(gib);
await big.close();

const verifier =
  hasher === 'worker'
    ? createChecksumVerifier({ cacheDirectory: false, threadCount: 1 })
    : undefined;
const loader = new ModelLoader({
  modelDir: dir,
  // No fingerprint cache: every load really hashes the GiB.
  checksumVerifier: verifier ?? streamingChecksumVerifier,
})
  .register({ name: 'tiny', path: 'tiny.gguf', adapter: async () => ({}) })
  .register({
    name: 'big',
    path: 'big.gguf',
    required: false,
    // Not the file's digest: every load hashes the whole GiB and fails CHECKSUM_MISMATCH.
    checksum: `sha256:${'0'.repeat(64)}`,
    adapter: async () => ({}),
  });

const app = Fastify({ logger: false });
await app.register(modelLoaderPlugin, { loader, metrics: { defaultMetrics: false } });
app.get('/bare', async () => ({ status: 'ok' }));

let hashing = false;
let hashesDone = 0;
const hashLoop = async () => {
  while (hashing) {
    await loader.reload('big').catch(() => undefined);
    hashesDone++;
  }
};
app.post('/bench/hash/start', async () => {
  if (!hashing) {
    hashing = true;
    void hashLoop();
  }
  return { hashing };
});
app.post('/bench/hash/stop', async () => {
  hashing = false;
  return { hashesDone };
});
app.addHook('onClose', async () => {
  hashing = false;
  await verifier?.close();
  await rm(dir, { recursive: true, force: true });
});
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});

await app.listen({ host: '127.0.0.1', port: 0 });
await loader.load('tiny');
const address = app.server.address();
process.stdout.write(
  `listening ${typeof address === 'object' && address ? address.port : 0} ${hasher}\n`,
);
