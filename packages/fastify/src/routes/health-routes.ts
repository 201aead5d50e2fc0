import { isReady } from '@model-loader/core';
import { modelNameParams } from './model-name.js';
import type { RouteContext, ZodApp } from './route-context.js';

const probe = { logLevel: 'warn' } as const;
const doc = (summary: string, tags = ['Health']) => ({ tags, summary });
const json = 'application/json; charset=utf-8';

/**
 * `/health` (the seed's body; 200 healthy or degraded, 503 unhealthy or loading), `/health/live`,
 * `/health/ready`, and the KServe open inference protocol probes under `/v2`, where 200 means true
 * and a 4xx (400 here) means false.
 */
export function registerHealthRoutes(app: ZodApp, context: RouteContext): void {
  const { loader, models, health } = context;

  app.get(
    '/health',
    {
      ...probe,
      schema: doc('The seed’s health report: 200 healthy or degraded, 503 unhealthy or loading'),
    },
    async (_request, reply) => {
      const snapshot = health.get();
      return reply.code(snapshot.statusCode).type(json).send(snapshot.body);
    },
  );

  app.get(
    '/health/live',
    { ...probe, schema: doc('Liveness: 200 while the event loop answers') },
    async () => ({ status: 'alive' }),
  );

  app.get(
    '/health/ready',
    {
      ...probe,
      schema: doc(
        'Readiness: 200 once every required model is loaded, 503 while not and from shutdown',
      ),
    },
    async (_request, reply) => {
      const { status, message } = health.get().health;
      const ready = models.ready;
      return reply
        .code(ready ? 200 : 503)
        .send({ ready, status, message: models.shuttingDown ? 'Shutting down' : message });
    },
  );

  app.get(
    '/v2/health/live',
    { ...probe, schema: doc('KServe v2 liveness', ['KServe v2']) },
    async () => ({ live: true }),
  );

  app.get(
    '/v2/health/ready',
    { ...probe, schema: doc('KServe v2 readiness: 200 ready, 400 not', ['KServe v2']) },
    async (_request, reply) => {
      const ready = models.ready;
      return reply.code(ready ? 200 : 400).send({ ready });
    },
  );

  app.get(
    '/v2/models/:name/ready',
    {
      ...probe,
      schema: {
        ...doc('KServe v2 model readiness: 200 ready, 400 not', ['KServe v2']),
        params: modelNameParams,
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const ready = !models.shuttingDown && isReady(loader.getModelInfo(name).state);
      return reply.code(ready ? 200 : 400).send({ name, ready });
    },
  );
}
