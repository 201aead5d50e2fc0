import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type RangeTestServer,
  startRangeTestServer,
} from '@model-loader/core/testing/range-test-server';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { modelLoaderPlugin } from '../model-loader-plugin.js';
import { createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';
import { createModelLoaderFromConfig } from './create-model-loader.js';
import { loadServerConfig } from './load-server-config.js';
import { createPluginOptions } from './server-options.js';

/** Compared by digest: a deep equality of large buffers takes seconds. */
const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const weights = ggufBytes(300_000);
const digest = createHash('sha256').update(weights).digest('hex');
const servers: RangeTestServer[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startApp(models: string, route: Parameters<RangeTestServer['route']>[1]) {
  const server = await startRangeTestServer({ '/tiny.gguf': route });
  servers.push(server);
  const modelDir = await createModelDir();
  const root = dirname(modelDir);
  await writeFile(
    join(root, 'models.yaml'),
    `modelDir: ./models\npullOnStart: true\nmodels:\n${models.replaceAll('SOURCE', `${server.origin}/tiny.gguf`)}`,
  );
  const config = await loadServerConfig({
    adapterNames: ['gguf'],
    cwd: root,
    env: { CHECKSUM_CACHE_DIR: 'false', MODEL_ISOLATION: 'none' },
  });
  const testLoader = createTestLoader();
  const loader = createModelLoaderFromConfig(config, { gguf: testLoader.load });
  const app = Fastify({ logger: false });
  apps.push(app);
  await app.register(modelLoaderPlugin, createPluginOptions(config, loader));
  await app.ready();
  void app.models.loadInBackground();
  return { app, server, modelDir, testLoader };
}

async function modelInfo(app: FastifyInstance, name: string) {
  return (await app.inject({ url: `/models/${name}` })).json();
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// Real downloads over loopback and real file checks: slow on a loaded machine.
describe('pullOnStart', { timeout: 60_000 }, () => {
  it('downloads a missing pinned file before loading: the model reads `loading` with progress, then `loaded`', async () => {
    const { app, server, modelDir, testLoader } = await startApp(
      `  - { name: tiny, adapter: gguf, path: tiny.gguf, source: SOURCE, checksum: "sha256:${digest}" }\n`,
      { body: weights, stallAfterBytes: 100_000 },
    );
    const during = await until(
      () => modelInfo(app, 'tiny'),
      (info) => info.pull?.bytesDone === 100_000,
    );
    expect(during).toMatchObject({
      state: 'loading',
      pull: { state: 'pulling', files: 1, filesDone: 0, bytesDone: 100_000, totalBytes: 300_000 },
    });
    const health = await app.inject({ url: '/health' });
    expect(health.json()).toMatchObject({ status: 'loading' });
    expect(testLoader.calls).toEqual([]);
    server.route('/tiny.gguf', { body: weights });
    server.releaseStalled();
    const after = await until(
      () => modelInfo(app, 'tiny'),
      (info) => info.state === 'loaded',
    );
    expect(after.pull).toMatchObject({ state: 'done', filesDone: 1 });
    expect(sha256Of(await readFile(join(modelDir, 'tiny.gguf')))).toBe(sha256Of(weights));
    expect(await readdir(modelDir)).toEqual(['tiny.gguf']);
    expect(server.requests.at(-1)).toMatchObject({ status: 206, range: 'bytes=100000-' });
  });

  it('a source serving other bytes: the pull fails with CHECKSUM_MISMATCH and the model never loads them', async () => {
    const { app, modelDir, testLoader } = await startApp(
      `  - { name: tiny, adapter: gguf, path: tiny.gguf, source: SOURCE, checksum: "sha256:${'1'.repeat(64)}" }\n`,
      { body: weights },
    );
    const info = await until(
      () => modelInfo(app, 'tiny'),
      (value) => value.state === 'failed',
    );
    expect(info.pull).toMatchObject({ state: 'failed', error: { code: 'CHECKSUM_MISMATCH' } });
    expect(info.lastError.code).toBe('MODEL_FILE_NOT_FOUND');
    expect(testLoader.calls).toEqual([]);
    expect(await readdir(modelDir)).toEqual([]);
    expect((await app.inject({ url: '/health' })).json()).toMatchObject({ status: 'unhealthy' });
  });

  it('refuses to pull an unpinned source (PULL_NOT_PINNED)', async () => {
    const { app, server } = await startApp(
      '  - { name: tiny, adapter: gguf, path: tiny.gguf, source: SOURCE }\n',
      { body: weights },
    );
    const info = await until(
      () => modelInfo(app, 'tiny'),
      (value) => value.state === 'failed',
    );
    expect(info.pull).toMatchObject({ state: 'failed', error: { code: 'PULL_NOT_PINNED' } });
    expect(server.requests).toHaveLength(0);
  });

  it('a malformed source stops start-up with CONFIG_INVALID naming the field', async () => {
    const modelDir = await createModelDir();
    const root = dirname(modelDir);
    await writeFile(
      join(root, 'models.yaml'),
      'models:\n  - { name: tiny, adapter: gguf, path: tiny.gguf, source: "ftp://host/x" }\n',
    );
    await expect(
      loadServerConfig({ adapterNames: ['gguf'], cwd: root, env: {} }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message:
        'Invalid models file models.yaml:\n- `models[0].source`: the scheme ftp: is not supported (use https, http or hf)',
    });
  });
});
