import type { AddressInfo } from 'node:net';
import { ModelLoader } from '@model-loader/core';
import Fastify from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { modelLoaderPlugin } from './model-loader-plugin.js';
import { createModelDir, createTestLoader, ggufBytes } from './test-support/test-app.js';

describe('modelLoaderPlugin', () => {
  it('answers probes at once after listen while models load in the background', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader();
    test.hold();
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
    });
    const app = Fastify({ logger: false });
    await app.register(modelLoaderPlugin, { loader, metrics: false });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const loading = await fetch(`${base}/health`);
      expect(loading.status).toBe(503);
      expect(await loading.json()).toMatchObject({ status: 'loading' });
      await vi.waitFor(() => expect(test.calls).toHaveLength(1));
      test.release();
      await app.models.loadInBackground();
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('aborts loads in progress and disposes models when the app closes', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes(), 'b.gguf': ggufBytes() });
    const quick = createTestLoader();
    const slow = createTestLoader();
    slow.hold();
    const disposed: string[] = [];
    const loader = new ModelLoader({ modelDir })
      .register({
        name: 'a',
        path: 'a.gguf',
        adapter: { kind: 'file', load: quick.load, dispose: () => void disposed.push('a') },
      })
      .register({ name: 'b', path: 'b.gguf', adapter: slow.load });
    const app = Fastify({ logger: false });
    await app.register(modelLoaderPlugin, { loader, metrics: false });
    await app.ready();
    const loading = app.models.loadInBackground();
    // Close only once the slow load is really running (a fixed wait flaked on a cold machine).
    await vi.waitFor(() => expect(slow.signals).toHaveLength(1));
    await app.close();
    await loading;
    expect(slow.signals[0]?.aborted).toBe(true);
    expect(disposed).toEqual(['a']);
    expect(loader.getModelInfo('b').state).toBe('unloaded');
  });

  it('keeps the loader open with `closeLoader: false`', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
    });
    const app = Fastify({ logger: false });
    await app.register(modelLoaderPlugin, { loader, metrics: false, closeLoader: false });
    await app.models.loadInBackground();
    await app.close();
    expect(loader.getModelInfo('a').state).toBe('loaded');
    await loader.close();
  });
});
