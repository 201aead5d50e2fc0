import { ModelLoader, ModelLoaderError } from '@model-loader/core';
import { describe, expect, it } from 'vitest';
import { buildApp, createModelDir } from '../test-support/test-app.js';
import { HttpError } from './http-error.js';
import { createErrorHandler, createNotFoundHandler } from './send-error.js';

describe('sendError', () => {
  it('lets a route family classify, render and re-status while the table keeps code and scrubbing', async () => {
    const modelDir = await createModelDir();
    const app = await buildApp({ loader: new ModelLoader({ modelDir }) }, {}, (app) => {
      app.register(
        async (child) => {
          const options = {
            classify: (error: unknown) =>
              error instanceof RangeError
                ? {
                    statusCode: 400,
                    headers: {},
                    body: { error: { code: 'OWN_CODE', message: `bad ${modelDir}/x.gguf` } },
                    isServerError: false,
                    param: 'field',
                  }
                : undefined,
            render: (response: { body: unknown; param?: string | null }) => ({
              wrapped: response.body,
              param: response.param ?? null,
            }),
            statusCode: (response: { statusCode: number; body: { error: { code: string } } }) =>
              response.body.error.code === 'MODEL_NOT_AVAILABLE' ? 200 : response.statusCode,
          };
          child.setErrorHandler(createErrorHandler(options));
          child.setNotFoundHandler(createNotFoundHandler(options));
          child.get('/own', async () => {
            throw new RangeError('x');
          });
          child.get('/busy', async () => {
            throw new HttpError('MODEL_BUSY', 'full', { headers: { 'retry-after': '3' } });
          });
          child.get('/missing', async () => {
            throw new ModelLoaderError('MODEL_NOT_AVAILABLE', `not loaded: ${modelDir}/m.gguf`);
          });
        },
        { prefix: '/t' },
      );
    });
    const own = await app.inject('/t/own');
    expect(own.statusCode).toBe(400);
    expect(own.json()).toEqual({
      wrapped: { error: { code: 'OWN_CODE', message: 'bad x.gguf' } },
      param: 'field',
    });
    const busy = await app.inject('/t/busy');
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('3');
    expect(busy.json()).toEqual({
      wrapped: { error: { code: 'MODEL_BUSY', message: 'full' } },
      param: null,
    });
    // Re-statused to 200: no Retry-After on a success status.
    const missing = await app.inject('/t/missing');
    expect(missing.statusCode).toBe(200);
    expect(missing.headers['retry-after']).toBeUndefined();
    expect(missing.json().wrapped.error).toEqual({
      code: 'MODEL_NOT_AVAILABLE',
      message: 'not loaded: m.gguf',
    });
    const none = await app.inject('/t/nothing');
    expect(none.statusCode).toBe(404);
    expect(none.json().wrapped.error).toEqual({
      code: 'NOT_FOUND',
      message: 'Route GET /t/nothing not found',
    });
    await app.close();
  });
});
