import { ModelLoader } from '@model-loader/core';
import type { FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { rawRequest } from '../test-support/raw-http.js';
import { buildApp, createModelDir, deferred } from '../test-support/test-app.js';
import { codedFrameworkOptions } from './framework-errors.js';

async function listening(): Promise<{ app: FastifyInstance; port: number }> {
  const modelDir = await createModelDir();
  const app = await buildApp(
    { loader: new ModelLoader({ modelDir }), maxUrlLength: 2048 },
    { ...codedFrameworkOptions, bodyLimit: 1024, routerOptions: { maxParamLength: 512 } },
    (app) => {
      app.setValidatorCompiler(validatorCompiler);
      app.post('/echo', { schema: { body: z.object({ text: z.string() }) } }, async (request) => ({
        echo: (request.body as { text: string }).text,
      }));
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port };
}

const get = (path: string, headers = '') =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`;
const post = (type: string, body: string, length = Buffer.byteLength(body)) =>
  `POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n${body}`;

describe('framework errors over a real socket', () => {
  it('answers every one in the coded shape, with the status its code has', async () => {
    const { port } = await listening();
    const cases: [string, string, number, string][] = [
      ['bad percent-encoding', get('/models/%zz'), 400, 'REQUEST_INVALID'],
      ['overlong UTF-8', get('/models/%c0%ae'), 400, 'REQUEST_INVALID'],
      ['bad percent-encoding, unknown route', get('/nowhere/%zz'), 400, 'REQUEST_INVALID'],
      ['URL too long', get(`/models/a?q=${'a'.repeat(3000)}`), 414, 'URI_TOO_LONG'],
      ['path parameter too long', get(`/models/${'a'.repeat(1000)}`), 414, 'URI_TOO_LONG'],
      [
        'headers too large',
        get('/health/live', `X-Big: ${'b'.repeat(20_000)}\r\n`),
        431,
        'HEADERS_TOO_LARGE',
      ],
      ['URL over the header limit', get(`/${'c'.repeat(20_000)}`), 431, 'HEADERS_TOO_LARGE'],
      ['malformed request line', 'GARBAGE\r\n\r\n', 400, 'REQUEST_INVALID'],
      [
        'bad Content-Length',
        post('application/json', '{}', -1).replace('-1', 'abc'),
        400,
        'REQUEST_INVALID',
      ],
      [
        'Content-Length and Transfer-Encoding',
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
        'REQUEST_INVALID',
      ],
      ['bad JSON', post('application/json', '{nope'), 400, 'REQUEST_INVALID'],
      ['empty JSON', post('application/json', ''), 400, 'REQUEST_INVALID'],
      ['wrong field', post('application/json', '{"text":1}'), 400, 'REQUEST_INVALID'],
      ['unsupported media type', post('text/xml', '<a/>'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        'body too large',
        post('application/json', JSON.stringify({ text: 'x'.repeat(2000) })),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      ['unknown route', get('/nowhere'), 404, 'NOT_FOUND'],
      ['unknown model', get('/models/zz'), 404, 'MODEL_NOT_REGISTERED'],
    ];
    for (const [label, request, status, code] of cases) {
      const responses = await rawRequest(port, request);
      expect(responses.length, label).toBeGreaterThanOrEqual(1);
      const [first] = responses;
      expect([first?.status, JSON.parse(first?.body ?? '{}').error?.code], label).toEqual([
        status,
        code,
      ]);
      const message = JSON.parse(first!.body).error.message as string;
      expect(message.length, label).toBeGreaterThan(0);
      expect(message, label).not.toMatch(/\n\s+at /);
    }
  });

  it('answers a body longer than its Content-Length in the coded shape', async () => {
    const { port } = await listening();
    // The server reads 2 bytes as the body; the rest arrives as a (malformed) second request on
    // the same keep-alive connection.
    const responses = await rawRequest(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{"text":"hi"}\r\n\r\n',
    );
    // Node's parser reads ahead and refuses the leftover before the first answer is written, so
    // the connection may end with that one answer: whatever comes is coded.
    expect(responses.length).toBeGreaterThanOrEqual(1);
    expect(responses.every((response) => response.status === 400)).toBe(true);
    for (const response of responses) {
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'REQUEST_INVALID' } });
    }
  });

  it('while the server closes, ends each connection after its answer instead of an uncoded 503', async () => {
    const modelDir = await createModelDir();
    const gate = deferred();
    const started = deferred();
    const app = await buildApp(
      { loader: new ModelLoader({ modelDir }) },
      codedFrameworkOptions,
      (app) => {
        app.get('/slow', async () => {
          started.resolve();
          await gate.promise;
          return { done: true };
        });
      },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    // Two pipelined requests on one connection: the second is read once the first has answered,
    // which is after close() began.
    const answers = rawRequest(
      port,
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /models HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    await started.promise;
    const closing = app.close();
    await vi.waitFor(() => expect(app.models.shuttingDown).toBe(true));
    gate.resolve();
    const responses = await answers;
    await closing;
    // The answer in flight closes its connection, so the pipelined request is never read: no
    // uncoded 503 from Fastify, and the client knows to go elsewhere.
    expect(responses.map((response) => [response.status, response.headers.connection])).toEqual([
      [200, 'close'],
    ]);
  });
});
