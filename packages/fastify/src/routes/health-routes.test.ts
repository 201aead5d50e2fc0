import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoader } from '@model-loader/core';
import { describe, expect, it, vi } from 'vitest';
import { buildApp, createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';

describe('health routes', () => {
  it('answers 503 loading while a required model loads, then 200 healthy', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
    });
    const app = await buildApp({ loader });
    test.hold();
    const loading = app.models.loadInBackground();

    const health = await app.inject('/health');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({
      status: 'loading',
      message: 'Loading required models: a',
      models_loaded: { a: false },
      loaded_count: 0,
      total_count: 1,
      errors: {},
      reload_errors: {},
      missing_files: {},
    });
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    expect((await app.inject('/v2/health/live')).json()).toEqual({ live: true });
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ ready: false, status: 'loading' });
    const v2 = await app.inject('/v2/health/ready');
    expect([v2.statusCode, v2.json()]).toEqual([400, { ready: false }]);
    expect((await app.inject('/v2/models/a/ready')).json()).toEqual({ name: 'a', ready: false });

    test.release();
    await loading;
    const healthy = await app.inject('/health');
    expect(healthy.statusCode).toBe(200);
    expect(healthy.json()).toEqual({
      status: 'healthy',
      message: 'All models loaded successfully',
      models_loaded: { a: true },
      loaded_count: 1,
      total_count: 1,
      errors: {},
      reload_errors: {},
      missing_files: {},
    });
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    expect((await app.inject('/v2/health/ready')).statusCode).toBe(200);
    const modelReady = await app.inject('/v2/models/a/ready');
    expect([modelReady.statusCode, modelReady.json()]).toEqual([200, { name: 'a', ready: true }]);
  });

  it('answers 200 degraded when an optional model is missing', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir })
      .register({ name: 'a', path: 'a.gguf', adapter: test.load })
      .register({ name: 'extra', path: 'missing.gguf', adapter: test.load, required: false });
    const app = await buildApp({ loader });
    await app.models.loadInBackground();

    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({
      status: 'degraded',
      message: 'All required models loaded; optional models not loaded: extra',
      models_loaded: { a: true, extra: false },
      loaded_count: 1,
      total_count: 2,
      errors: {
        extra:
          'MODEL_FILE_NOT_FOUND: Model file not found: missing.gguf (searched the model directory .)',
      },
      reload_errors: {},
      missing_files: {},
    });
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    expect((await app.inject('/v2/models/extra/ready')).statusCode).toBe(400);
  });

  it('answers 503 unhealthy when a required model fails, without absolute paths', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader({
      fail: () => new Error(`cannot map ${modelDir}/a.gguf (see /var/log/secret/trace.txt)`),
    });
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
    });
    const app = await buildApp({ loader });
    await app.models.loadInBackground();

    const health = await app.inject('/health');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'unhealthy',
      message: 'Required models not loaded: a',
      errors: {
        a: "MODEL_LOAD_FAILED: Failed to load model 'a': Error: cannot map a.gguf (see …/trace.txt)",
      },
    });
    expect(health.body).not.toContain(modelDir);
    expect(health.body).not.toContain('/var/log');
    expect((await app.inject('/health/ready')).statusCode).toBe(503);
    expect((await app.inject('/health/live')).statusCode).toBe(200);
  });

  it('answers 404 MODEL_NOT_REGISTERED for the readiness of an unknown model', async () => {
    const modelDir = await createModelDir();
    const app = await buildApp({ loader: new ModelLoader({ modelDir }) });
    const response = await app.inject('/v2/models/nope/ready');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        code: 'MODEL_NOT_REGISTERED',
        message: "Model 'nope' is not registered. Registered models: (none)",
      },
    });
  });
});

describe('/health beyond the seed', () => {
  it('shows a loaded model whose file vanished, and clears it when the file is back', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes(), 'b.gguf': ggufBytes() });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir })
      .register({ name: 'a', path: 'a.gguf', adapter: test.load })
      .register({ name: 'b', path: 'b.gguf', adapter: test.load });
    const app = await buildApp({ loader, fileCheckIntervalInMs: 20 });
    await app.models.loadInBackground();
    expect((await app.inject('/health')).json().status).toBe('healthy');

    await rm(join(modelDir, 'a.gguf'));
    await vi.waitFor(async () => {
      const health = await app.inject('/health');
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        status: 'degraded',
        message: 'All models loaded; model files missing: a',
        models_loaded: { a: true, b: true },
        missing_files: { a: ['a.gguf'] },
      });
    });
    expect(bodyHidesDir(await app.inject('/health'), modelDir)).toBe(true);

    await writeFile(join(modelDir, 'a.gguf'), ggufBytes());
    await vi.waitFor(async () => {
      expect((await app.inject('/health')).json()).toMatchObject({
        status: 'healthy',
        missing_files: {},
      });
    });
  });
});

function bodyHidesDir(response: { body: string }, dir: string): boolean {
  return !response.body.includes(dir);
}
