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
    '/models/:name',
    { schema: { tags, summary: 'One model', params: modelNameParams } },
    async (request) => publicModelInfo(context, request.params.name),
  );
}
