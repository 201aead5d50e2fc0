import { modelNameParams } from './model-name.js';
import { publicModelInfo, type RouteContext, type ZodApp } from './route-context.js';

/** `GET /models` and `GET /models/:name`: state, timings, attempts, size, checksums, last error. */
export function registerModelRoutes(app: ZodApp, context: RouteContext): void {
  app.get('/models', async () => ({
    models: context.loader.modelNames.map((name) => publicModelInfo(context, name)),
  }));

  app.get('/models/:name', { schema: { params: modelNameParams } }, async (request) =>
    publicModelInfo(context, request.params.name),
  );
}
