import { isReady } from '@model-loader/core';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodApp } from './route-types.js';

/** `GET /v1/models` and `GET /v1/models/{id}` (the `openai` client's `models.list` / `retrieve`). */
export function registerModelRoutes(routes: ZodApp, app: FastifyInstance): void {
  const startedAt = Math.floor(Date.now() / 1000);
  const describe = (name: string) => {
    const info = app.models.loader.getModelInfo(name);
    return {
      id: name,
      object: 'model',
      created: info.loadedAt ? Math.floor(Date.parse(info.loadedAt) / 1000) : startedAt,
      owned_by: 'model-loader',
      // Not in OpenAI's schema: whether the model can answer now (an idle one loads on demand).
      ready: isReady(info.state),
    };
  };

  routes.get('/models', async () => ({
    object: 'list',
    data: app.models.loader.modelNames.map(describe),
  }));

  routes.get(
    '/models/:id',
    { schema: { params: z.object({ id: z.string().max(256) }) } },
    // An unknown id throws the core's MODEL_NOT_REGISTERED: 404, as OpenAI answers.
    async (request) => describe(request.params.id),
  );
}
