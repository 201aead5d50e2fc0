import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** `GET /metrics`: Prometheus text exposition of the app's registry. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get(
    '/metrics',
    {
      logLevel: 'warn',
      schema: { tags: ['Health'], summary: 'Prometheus metrics (text exposition)' },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
