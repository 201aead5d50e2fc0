import { ERROR_CODES, ModelLoader, ModelLoaderError } from '@model-loader/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelLoaderPlugin } from '../model-loader-plugin.js';
import { buildApp, createModelDir } from '../test-support/test-app.js';
import { toErrorResponse } from './error-response.js';
import { HTTP_STATUS_BY_CODE } from './http-status.js';
import { scrubPaths } from './scrub-paths.js';

describe('the status table', () => {
  it('maps every core error code', () => {
    const unmapped = Object.keys(ERROR_CODES).filter((code) => !(code in HTTP_STATUS_BY_CODE));
    expect(unmapped).toEqual([]);
  });

  it('maps the codes the issue names', () => {
    expect(HTTP_STATUS_BY_CODE.MODEL_NOT_REGISTERED).toBe(404);
    expect(HTTP_STATUS_BY_CODE.MODEL_NOT_AVAILABLE).toBe(503);
    expect(HTTP_STATUS_BY_CODE.IMAGE_INVALID).toBe(400);
    expect(HTTP_STATUS_BY_CODE.IMAGE_TOO_LARGE).toBe(413);
    expect(HTTP_STATUS_BY_CODE.MODEL_BUSY).toBe(503);
  });
});

describe('toErrorResponse', () => {
  const modelDir = '/srv/models';

  it('never sends the absolute `path` field, the stack or the cause', () => {
    const error = new ModelLoaderError(
      'CHECKSUM_MISMATCH',
      'Checksum mismatch! Expected: aa, Got: bb',
      {
        path: '/srv/models/llm/x.gguf',
        cause: new Error('inner /srv/models/llm/x.gguf'),
      },
    );
    const response = toErrorResponse(error, [modelDir]);
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({
      error: { code: 'CHECKSUM_MISMATCH', message: 'Checksum mismatch! Expected: aa, Got: bb' },
    });
  });

  it('scrubs absolute paths from messages as a safety net', () => {
    const error = new ModelLoaderError(
      'MODEL_LOAD_FAILED',
      "Failed to load model 'a': Error: mmap /srv/models/llm/x.gguf failed, see /tmp/llama/log.txt",
    );
    expect(toErrorResponse(error, [modelDir]).body.error.message).toBe(
      "Failed to load model 'a': Error: mmap llm/x.gguf failed, see …/log.txt",
    );
  });

  it('answers a generic 500 for unknown errors', () => {
    const response = toErrorResponse(new TypeError('x is undefined at /app/src/a.ts:3'), []);
    expect(response).toMatchObject({
      statusCode: 500,
      body: {
        error: {
          code: 'INTERNAL_ERROR',
          message: 'Internal server error; the server log has the details',
        },
      },
    });
  });
});

describe('scrubPaths', () => {
  it('replaces a model directory only as a whole path prefix (a fast-check counterexample)', () => {
    expect(scrubPaths('/_-/-/_-0 and /etc/_-0', ['/_-'])).toBe('-/_-0 and …/_-0');
    expect(scrubPaths('open /models2/a.gguf', ['/models'])).toBe('open …/a.gguf');
  });

  it('leaves no model directory and no absolute path in any message', () => {
    const segment = fc
      .stringMatching(/^[A-Za-z0-9._-]{1,12}$/)
      .filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('', 'open ', "file '", 'path=', 'error: ('),
        (dirParts, fileParts, prefix) => {
          const dir = `/${dirParts.join('/')}`;
          const text = `${prefix}${dir}/${fileParts.join('/')} and /etc/${fileParts.at(-1)}`;
          const scrubbed = scrubPaths(text, [dir]);
          expect(scrubbed).not.toMatch(/(^|[\s'"(=:])\/[A-Za-z0-9]/);
          expect(scrubbed).toContain(fileParts.at(-1)!);
        },
      ),
    );
  });
});

describe('the error handler', () => {
  it('answers every error as { error: { code, message } }', async () => {
    const modelDir = await createModelDir();
    const app = await buildApp(
      { loader: new ModelLoader({ modelDir }) },
      { bodyLimit: 64 },
      (app) => {
        app.get('/boom', async () => {
          throw new Error(`secret at ${modelDir}/x`);
        });
        app.post('/echo', async (request) => request.body);
      },
    );
    const boom = await app.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({
      error: {
        code: 'INTERNAL_ERROR',
        message: 'Internal server error; the server log has the details',
      },
    });
    const big = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: { text: 'x'.repeat(100) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const bad = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{nope',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('REQUEST_INVALID');
    const missing = await app.inject('/nothing-here');
    expect(missing.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Route GET /nothing-here not found' },
    });
  });

  it('refuses invalid plugin options naming the option', async () => {
    const modelDir = await createModelDir();
    const Fastify = (await import('fastify')).default;
    const app = Fastify();
    await expect(
      app
        .register(modelLoaderPlugin, {
          loader: new ModelLoader({ modelDir }),
          adminToken: 'short',
          limits: { maxQueue: -1 },
        })
        .ready(),
    ).rejects.toThrow(
      'Invalid options for @model-loader/fastify:\n- `adminToken`: must be at least 16 characters (use a random secret)\n- `limits.maxQueue`: Too small: expected number to be >=0',
    );
    await app.close();
  });
});
