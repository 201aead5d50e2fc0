import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp, createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';
import { createModelLoaderFromConfig } from './create-model-loader.js';
import { loadServerConfig } from './load-server-config.js';

const adapterNames = ['gguf', 'whisper', 'ocr'];
const bytes = ggufBytes();
const digest = createHash('sha256').update(bytes).digest('hex');

async function serverWith(env: Record<string, string>) {
  const modelDir = await createModelDir({
    'pinned.gguf': bytes,
    'sneaked.gguf': bytes,
    'scratch.gguf': bytes,
  });
  const root = dirname(modelDir);
  await writeFile(
    join(modelDir, 'model-loader.lock.json'),
    JSON.stringify({
      lockfileVersion: 1,
      files: [{ path: 'pinned.gguf', sizeInBytes: bytes.length, algorithm: 'sha256', digest }],
    }),
  );
  await writeFile(join(root, 'not-a-lock'), 'root:x:0:0:root:/root:/bin/bash\n');
  await writeFile(
    join(root, 'models.yaml'),
    [
      'modelDir: ./models',
      'lockFile: model-loader.lock.json',
      'checksumCacheDirectory: false',
      'models:',
      '  - { name: pinned, adapter: gguf, path: pinned.gguf }',
      '  - { name: sneaked, adapter: gguf, path: sneaked.gguf, required: false }',
      '  - { name: scratch, adapter: gguf, path: scratch.gguf, allowUnpinned: true }',
    ].join('\n'),
  );
  // The test adapter is a plain object (no `processEntry`): it runs in the server's process.
  const config = await loadServerConfig({
    adapterNames,
    cwd: root,
    env: { MODEL_ISOLATION: 'none', ...env },
  });
  const test = createTestLoader();
  const loader = createModelLoaderFromConfig(config, {
    gguf: test.load,
    whisper: test.load,
    ocr: test.load,
  });
  const app = await buildApp({ loader });
  await loader.loadAll();
  return { app };
}

describe('lock file through the models file', () => {
  it('refuses a model the lock does not pin, loads one allowed unpinned, and says which is verified', async () => {
    const { app } = await serverWith({});
    const pinned = (await app.inject('/models/pinned')).json();
    expect(pinned).toMatchObject({ state: 'loaded', verified: true });
    expect((await app.inject('/models/scratch')).json()).toMatchObject({
      state: 'loaded',
      verified: false,
    });
    expect((await app.inject('/models/sneaked')).json()).toMatchObject({
      state: 'failed',
      verified: false,
      lastError: { code: 'LOCK_ENTRY_MISSING' },
    });
    const health = await app.inject('/health');
    expect(health.json()).toMatchObject({ status: 'degraded' });
    expect(health.body).toContain('LOCK_ENTRY_MISSING');
  });

  it('never shows bytes of a LOCK_FILE that is not a lock file in /health', async () => {
    // Relative lock paths start at the model directory: this one is a passwd-like file beside it.
    const { app } = await serverWith({ LOCK_FILE: '../not-a-lock' });
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(503);
    expect(health.body).toContain('not valid JSON: line 1, column 1: expected a value');
    expect(health.body).not.toContain('root:x');
    expect((await app.inject('/models/pinned')).body).not.toContain('root:x');
  });
});
