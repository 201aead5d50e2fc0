import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelLoader } from '@model-loader/core';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { modelsFor } from '../models-for.js';
import {
  buildApp,
  createModelDir,
  createTestLoader,
  deferred,
  ggufBytes,
} from '../test-support/test-app.js';
import { disconnectSignal } from './disconnect-signal.js';

/** An app with model `a` loaded and `POST /infer` that waits for `gate` (or its signal). */
async function setup(limits: Record<string, number>, loadModel = true) {
  const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
  const test = createTestLoader();
  const loader = new ModelLoader({ modelDir }).register({
    name: 'a',
    path: 'a.gguf',
    adapter: test.load,
  });
  let gate = deferred();
  const started: number[] = [];
  const signals: AbortSignal[] = [];
  const app = await buildApp({ loader, limits }, {}, (app: FastifyInstance) => {
    app.post('/infer', async (_request, reply) =>
      modelsFor(app, loader).run(
        'a',
        async (model, signal) => {
          started.push(started.length + 1);
          signals.push(signal);
          await Promise.race([
            gate.promise,
            new Promise((_resolve, reject) =>
              signal.addEventListener('abort', () => reject(signal.reason)),
            ),
          ]);
          return { id: model.id };
        },
        { signal: disconnectSignal(reply) },
      ),
    );
    app.post('/model/:name', async (request) =>
      app.models.run((request.params as { name: string }).name, () => 'ok'),
    );
  });
  if (loadModel) await app.models.loadInBackground();
  return {
    app,
    loader,
    started,
    signals,
    open: () => {
      gate.resolve();
      gate = deferred();
    },
  };
}

describe('app.models.run', () => {
  it('runs up to `concurrency` at once, queues `maxQueue`, then answers 503 + Retry-After', async () => {
    const { app, started, open } = await setup({
      concurrency: 2,
      maxQueue: 1,
      retryAfterInSeconds: 7,
    });
    const accepted = [1, 2, 3].map(() => app.inject({ method: 'POST', url: '/infer' }));
    await waitFor(() => app.models.requestStats('a').pendingCount === 1);
    expect(app.models.requestStats('a')).toEqual({
      activeCount: 2,
      pendingCount: 1,
      concurrency: 2,
      maxQueue: 1,
    });
    const refused = await app.inject({ method: 'POST', url: '/infer' });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('7');
    expect(refused.json()).toEqual({
      error: {
        code: 'MODEL_BUSY',
        message: "Model 'a' is busy: 2 running and 1 waiting; try again in 7 s",
      },
    });
    expect(started).toEqual([1, 2]);
    open();
    await waitFor(() => started.length === 3);
    open();
    const answers = await Promise.all(accepted);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    expect(app.models.requestStats('a')).toMatchObject({ activeCount: 0, pendingCount: 0 });
  });

  it('aborts the work signal and answers 504 when the timeout passes', async () => {
    const { app, signals } = await setup({ timeoutInMs: 50 });
    const response = await app.inject({ method: 'POST', url: '/infer' });
    expect(response.statusCode).toBe(504);
    expect(response.json()).toEqual({
      error: {
        code: 'REQUEST_TIMEOUT',
        message: "Model 'a' did not answer within 50 ms; the work was aborted",
      },
    });
    expect(signals[0]?.aborted).toBe(true);
    expect(app.models.requestStats('a').activeCount).toBe(0);
  });

  it('times out a call still waiting in the queue and frees its place', async () => {
    const { app, started, open } = await setup({ concurrency: 1, maxQueue: 1, timeoutInMs: 300 });
    const first = app.inject({ method: 'POST', url: '/infer' });
    await waitFor(() => started.length === 1);
    const queued = await app.inject({ method: 'POST', url: '/infer' });
    expect(queued.statusCode).toBe(504);
    expect(app.models.requestStats('a').pendingCount).toBe(0);
    open();
    expect((await first).statusCode).toBe(504);
  });

  it('aborts the work when the client disconnects', async () => {
    const { app, signals } = await setup({});
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const client = request({ host: '127.0.0.1', port, method: 'POST', path: '/infer' });
    client.on('error', () => undefined);
    client.end();
    await waitFor(() => signals.length === 1);
    client.destroy();
    await waitFor(() => signals[0]!.aborted);
    expect(String(signals[0]!.reason)).toContain('The request was aborted');
    await waitFor(() => app.models.requestStats('a').activeCount === 0);
  });

  it('answers 404 for an unknown model and 503 for one not loaded', async () => {
    const { app } = await setup({}, false);
    const unknown = await app.inject({ method: 'POST', url: '/model/zzz' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('MODEL_NOT_REGISTERED');
    const pending = await app.inject({ method: 'POST', url: '/model/a' });
    expect(pending.statusCode).toBe(503);
    expect(pending.json()).toEqual({
      error: {
        code: 'MODEL_NOT_AVAILABLE',
        message: "Model 'a' is not available (status: pending).",
      },
    });
  });

  it('refuses new work once shutdown began, while readiness turns 503', async () => {
    const { app } = await setup({});
    expect((await app.inject({ method: 'POST', url: '/model/a' })).statusCode).toBe(200);
    app.models.beginShutdown();
    const refused = await app.inject({ method: 'POST', url: '/model/a' });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('SHUTTING_DOWN');
    expect((await app.inject('/health/ready')).json()).toMatchObject({
      ready: false,
      message: 'Shutting down',
    });
    expect((await app.inject('/v2/health/ready')).statusCode).toBe(400);
  });
});

async function waitFor(condition: () => boolean, timeoutInMs = 3000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutInMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
