import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ModelLoader } from '@model-loader/core';
import { describe, expect, it } from 'vitest';
import { buildApp, createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';

const token = 'a-long-admin-token-0123456789';

describe('GET /models', () => {
  it('shows state, load time, attempts, size, checksum, memory estimate and last error', async () => {
    const bytes = ggufBytes(1000);
    const digest = createHash('sha256').update(bytes).digest('hex');
    const modelDir = await createModelDir({ 'a.gguf': bytes });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir, checksumCacheDirectory: false })
      .register({
        name: 'a',
        path: join(modelDir, 'a.gguf'),
        adapter: test.load,
        checksum: `sha256:${digest}`,
        memoryEstimateInBytes: 4096,
      })
      .register({ name: 'b', path: 'b.gguf', adapter: test.load, required: false });
    const app = await buildApp({ loader });
    await app.models.loadInBackground();

    const response = await app.inject('/models');
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain(modelDir);
    const [a, b] = response.json().models;
    expect(a).toMatchObject({
      name: 'a',
      state: 'loaded',
      required: true,
      path: 'a.gguf',
      sizeInBytes: 1000,
      memoryEstimateInBytes: 4096,
      attempts: 1,
      files: [
        {
          path: 'a.gguf',
          sizeInBytes: 1000,
          checksum: { algorithm: 'sha256', digest, source: 'computed' },
        },
      ],
      requests: { activeCount: 0, pendingCount: 0, concurrency: 1, maxQueue: 16 },
    });
    expect(a.loadTimeInMs).toBeGreaterThan(0);
    expect(b).toMatchObject({
      name: 'b',
      state: 'failed',
      lastError: {
        code: 'MODEL_FILE_NOT_FOUND',
        message: 'Model file not found: b.gguf (searched the model directory .)',
      },
    });

    const one = await app.inject('/models/b');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(b);
  });

  it('answers 404 for unknown and traversal names and 400 for NUL, touching no file', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
    });
    const app = await buildApp({ loader, adminToken: token });
    const auth = { authorization: `Bearer ${token}` };

    const cases = [
      ['..%2F..%2Fetc%2Fpasswd', 'MODEL_NOT_REGISTERED'],
      ['..%252F..%252Fetc%252Fpasswd', 'MODEL_NOT_REGISTERED'],
      ['%2E%2E%2F%2E%2E%2Fa', 'MODEL_NOT_REGISTERED'],
      // The URL parser resolves a bare `%2E%2E` segment: no route matches.
      ['%2E%2E', 'NOT_FOUND'],
    ];
    for (const [name, code] of cases) {
      const info = await app.inject(`/models/${name}`);
      expect(info.statusCode, name).toBe(404);
      expect(info.json().error.code, name).toBe(code);
      const load = await app.inject({ method: 'POST', url: `/models/${name}/load`, headers: auth });
      expect(load.statusCode, name).toBe(404);
    }
    for (const url of ['/models/a%00', '/models/%00/load', '/v2/models/a%00b/ready']) {
      const method = url.endsWith('/load') ? 'POST' : 'GET';
      const response = await app.inject({ method, url, headers: auth });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('REQUEST_INVALID');
    }
    const raw = await app.inject('/models/../../etc/passwd');
    expect(raw.statusCode).toBe(404);
    expect(test.calls).toEqual([]);
    expect(loader.getModelInfo('a').state).toBe('pending');
  });

  it('refuses a model whose path leaves the model directory, without loading it', async () => {
    const modelDir = await createModelDir();
    await writeFile(join(dirname(modelDir), 'outside.gguf'), ggufBytes());
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir }).register({
      name: 'escape',
      path: '../outside.gguf',
      adapter: test.load,
    });
    const app = await buildApp({ loader, adminToken: token });
    const response = await app.inject({
      method: 'POST',
      url: '/models/escape/load',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: {
        code: 'MODEL_PATH_OUTSIDE_ROOT',
        message: 'Model path is outside the model directory: ../outside.gguf',
      },
    });
    expect(test.calls).toEqual([]);
  });
});

describe('admin routes', () => {
  async function setup(adminToken?: string) {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader();
    const disposed: number[] = [];
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: {
        kind: 'file',
        load: test.load,
        dispose: (model) => {
          disposed.push(model.id);
        },
      },
    });
    const app = await buildApp({ loader, ...(adminToken ? { adminToken } : {}) });
    return { app, test, loader, disposed };
  }

  it('are not registered without an admin token', async () => {
    const { app } = await setup();
    const response = await app.inject({ method: 'POST', url: '/models/a/load' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Route POST /models/a/load not found' },
    });
  });

  it('answer 401 without a token and 403 with a wrong one, before looking at the name', async () => {
    const { app, test } = await setup(token);
    const none = await app.inject({ method: 'POST', url: '/models/a/load' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="model-loader"');
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    for (const authorization of [`Bearer ${token}x`, 'Bearer short', `Basic ${token}`, token]) {
      const response = await app.inject({
        method: 'POST',
        url: '/models/%00/load',
        headers: { authorization },
      });
      expect(response.statusCode, authorization).toBe(
        authorization.startsWith('Bearer') ? 403 : 401,
      );
    }
    expect(test.calls).toEqual([]);
  });

  it('load, reload (hot swap) and unload with the right token', async () => {
    const { app, loader, disposed } = await setup(token);
    const headers = { authorization: `Bearer ${token}` };
    const load = await app.inject({ method: 'POST', url: '/models/a/load', headers });
    expect(load.statusCode).toBe(200);
    expect(load.json()).toMatchObject({ action: 'load', model: { name: 'a', state: 'loaded' } });
    expect((loader.get('a') as { id: number }).id).toBe(1);

    const reload = await app.inject({ method: 'POST', url: '/models/a/reload', headers });
    expect(reload.statusCode).toBe(200);
    expect((loader.get('a') as { id: number }).id).toBe(2);
    await vitestWaitFor(() => disposed.includes(1));

    const unload = await app.inject({ method: 'POST', url: '/models/a/unload', headers });
    expect(unload.statusCode).toBe(200);
    expect(unload.json()).toMatchObject({ action: 'unload', model: { state: 'unloaded' } });
    expect(disposed).toEqual([1, 2]);
    expect((await app.inject('/health')).statusCode).toBe(503);
  });

  it('a failed reload keeps the serving copy and answers with the error', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    let fail = false;
    const test = createTestLoader({ fail: () => (fail ? new Error('out of memory') : undefined) });
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
    });
    const app = await buildApp({ loader, adminToken: token });
    await app.models.loadInBackground();
    fail = true;
    const response = await app.inject({
      method: 'POST',
      url: '/models/a/reload',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: {
        code: 'MODEL_LOAD_FAILED',
        message: "Failed to load model 'a': Error: out of memory",
      },
    });
    expect((loader.get('a') as { id: number }).id).toBe(1);
    // Still serving (200), but /health says the reload failed, not just /models/a.
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'degraded',
      message: 'All models loaded; reload failed, previous copy serving: a',
      models_loaded: { a: true },
      errors: {},
      reload_errors: { a: "MODEL_LOAD_FAILED: Failed to load model 'a': Error: out of memory" },
      missing_files: {},
    });
  });
});

async function vitestWaitFor(condition: () => boolean, timeoutInMs = 2000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutInMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
