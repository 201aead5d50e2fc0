import { ModelLoader } from '@model-loader/core';
import { describe, expect, it } from 'vitest';
import { buildApp, createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';
import { SIGNATURES_BY_ADAPTER } from './model-signature.js';

const token = 'a-long-admin-token-0123456789';
const auth = { authorization: `Bearer ${token}` };

async function setup(adminToken?: string) {
  const modelDir = await createModelDir({ 'a.gguf': ggufBytes(), 'b.gguf': ggufBytes() });
  const test = createTestLoader();
  const loader = new ModelLoader({ modelDir })
    .register({ name: 'a', path: 'a.gguf', adapter: test.load })
    .register({ name: 'b', path: 'missing.gguf', adapter: test.load, required: false });
  const app = await buildApp({
    loader,
    signatures: { a: SIGNATURES_BY_ADAPTER.gguf! },
    server: { name: 'test-server', version: '9.9.9' },
    ...(adminToken ? { adminToken } : {}),
  });
  return { app, loader, test };
}

describe('KServe v2 metadata', () => {
  it('answers server metadata, with model_repository only when the admin token is set', async () => {
    const open = await setup();
    expect((await open.app.inject('/v2')).json()).toEqual({
      name: 'test-server',
      version: '9.9.9',
      extensions: [],
    });
    const admin = await setup(token);
    expect((await admin.app.inject('/v2')).json().extensions).toEqual(['model_repository']);
  });

  it('answers model metadata with the versions, the platform and the signature', async () => {
    const { app } = await setup();
    const expected = {
      name: 'a',
      versions: ['1'],
      platform: 'unknown',
      inputs: [{ name: 'text_input', datatype: 'BYTES', shape: [-1] }],
      outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [-1] }],
    };
    expect((await app.inject('/v2/models/a')).json()).toEqual(expected);
    expect((await app.inject('/v2/models/a/versions/1')).json()).toEqual(expected);
    expect((await app.inject('/v2/models/b')).json()).toMatchObject({ inputs: [], outputs: [] });

    const version = await app.inject('/v2/models/a/versions/2');
    expect([version.statusCode, version.json()]).toEqual([
      404,
      {
        error: {
          code: 'MODEL_VERSION_NOT_FOUND',
          message: "Model 'a' has no version '2'; its only version is '1'",
        },
      },
    ]);
    const unknown = await app.inject('/v2/models/zz/versions/1');
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'MODEL_NOT_REGISTERED']);
  });

  it('answers per-version readiness: 400 before the load, 200 after, 404 for another version', async () => {
    const { app } = await setup();
    const before = await app.inject('/v2/models/a/versions/1/ready');
    expect([before.statusCode, before.json()]).toEqual([400, { name: 'a', ready: false }]);
    await app.models.loadInBackground();
    const after = await app.inject('/v2/models/a/versions/1/ready');
    expect([after.statusCode, after.json()]).toEqual([200, { name: 'a', ready: true }]);
    expect((await app.inject('/v2/models/b/versions/1/ready')).statusCode).toBe(400);
    expect((await app.inject('/v2/models/a/versions/7/ready')).statusCode).toBe(404);
  });
});

describe('Triton model repository', () => {
  it('is not there without the admin token', async () => {
    const { app } = await setup();
    const response = await app.inject({ method: 'POST', url: '/v2/repository/index' });
    expect([response.statusCode, response.json().error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('checks the bearer token before anything else', async () => {
    const { app, test } = await setup(token);
    const none = await app.inject({ method: 'POST', url: '/v2/repository/models/a/load' });
    expect([none.statusCode, none.json().error.code]).toEqual([401, 'UNAUTHORIZED']);
    const wrong = await app.inject({
      method: 'POST',
      url: '/v2/repository/models/zz/load',
      headers: { authorization: 'Bearer wrong-token-wrong-token' },
    });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const index = await app.inject({ method: 'POST', url: '/v2/repository/index', payload: {} });
    expect(index.statusCode).toBe(401);
    expect(test.calls).toEqual([]);
  });

  it('indexes, loads (reloading a loaded model), refuses load parameters and unloads', async () => {
    const { app, loader } = await setup(token);
    const index = () =>
      app.inject({ method: 'POST', url: '/v2/repository/index', headers: auth, payload: {} });
    expect((await index()).json()).toEqual([
      { name: 'a', version: '1', state: 'UNAVAILABLE', reason: 'not loaded yet' },
      { name: 'b', version: '1', state: 'UNAVAILABLE', reason: 'not loaded yet' },
    ]);

    const load = await app.inject({
      method: 'POST',
      url: '/v2/repository/models/a/load',
      headers: auth,
    });
    expect([load.statusCode, load.body]).toEqual([200, '']);
    expect((loader.get('a') as { id: number }).id).toBe(1);
    const again = await app.inject({
      method: 'POST',
      url: '/v2/repository/models/a/load',
      headers: auth,
      payload: { parameters: {} },
    });
    expect(again.statusCode).toBe(200);
    expect((loader.get('a') as { id: number }).id).toBe(2);

    const failed = await app.inject({
      method: 'POST',
      url: '/v2/repository/models/b/load',
      headers: auth,
    });
    expect([failed.statusCode, failed.json().error.code]).toEqual([500, 'MODEL_FILE_NOT_FOUND']);
    const ready = await app.inject({
      method: 'POST',
      url: '/v2/repository/index',
      headers: auth,
      payload: { ready: true },
    });
    expect(ready.json()).toEqual([{ name: 'a', version: '1', state: 'READY', reason: '' }]);
    expect((await index()).json()[1]).toEqual({
      name: 'b',
      version: '1',
      state: 'UNAVAILABLE',
      reason:
        'MODEL_FILE_NOT_FOUND: Model file not found: missing.gguf (searched the model directory .)',
    });

    const withConfig = await app.inject({
      method: 'POST',
      url: '/v2/repository/models/a/load',
      headers: auth,
      payload: { parameters: { config: '{}' } },
    });
    expect([withConfig.statusCode, withConfig.json()]).toEqual([
      400,
      {
        error: {
          code: 'REQUEST_INVALID',
          message:
            'Load parameters are not supported (got "config"): a model is loaded as the models file describes it',
        },
      },
    ]);
    const badBody = await app.inject({
      method: 'POST',
      url: '/v2/repository/index',
      headers: auth,
      payload: { ready: 'yes' },
    });
    expect([badBody.statusCode, badBody.json().error.code]).toEqual([400, 'REQUEST_INVALID']);

    const unload = await app.inject({
      method: 'POST',
      url: '/v2/repository/models/a/unload',
      headers: auth,
      payload: { parameters: { unload_dependents: true } },
    });
    expect([unload.statusCode, unload.body]).toEqual([200, '']);
    expect(loader.getModelInfo('a').state).toBe('unloaded');
    expect((await index()).json()[0]).toMatchObject({ state: 'UNAVAILABLE', reason: 'unloaded' });
    const unknown = await app.inject({
      method: 'POST',
      url: '/v2/repository/models/zz/unload',
      headers: auth,
    });
    expect(unknown.statusCode).toBe(404);
  });
});
