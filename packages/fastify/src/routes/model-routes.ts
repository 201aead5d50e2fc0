import { modelNameParams } from './model-name.js';
import { publicModelInfo, type RouteContext, type ZodApp } from './route-context.js';

const tags = ['Models'];

/** `GET /models` and `GET /models/:name`: state, timings, attempts, size, checksums, last error. */
export function registerModelRoutes(app: ZodApp, context: RouteContext): void {
  app.get(
    '/models',
    { schema: { tags, summary: 'Every model: state, timings, files, checksums, last error' } },
    async () => ({
      models: context.loader.modelNames.map((name) => publicModelInfo(context, name)),
    }),
  );

  app.get(
    '/ps',
    {
      schema: {
        tags,
        summary: "Loaded models (as Ollama's /api/ps): size in memory, leases, until when",
      },
    },
    async () => ({
      models: context.loader.modelNames
        .map((name) => context.loader.getModelInfo(name))
        .filter((info) => info.state === 'loaded')
        .map((info) => ({
          name: info.name,
          residentBytes: info.residentBytes ?? 0,
          loadedAt: info.loadedAt,
          // null: stays loaded until unloaded or evicted (no keep-alive running, or in use).
          expiresAt: info.expiresAt ?? null,
          activeLeases: info.activeLeases,
          evictable: info.evictable,
          ...(info.process ? { pid: info.process.pid } : {}),
        })),
      memory: context.loader.getMemoryUsage(),
    }),
  );

  app.get(
    '/models/:name',
    { schema: { tags, summary: 'One model', params: modelNameParams } },
    async (request) => publicModelInfo(context, request.params.name),
  );
}
