import { createBearerCheck } from '../auth/bearer-auth.js';
import { modelNameParams } from './model-name.js';
import { publicModelInfo, type RouteContext, type ZodApp } from './route-context.js';

/**
 * `POST /models/:name/load`, `/unload` and `/reload` (the core's hot swap), behind a bearer token.
 * The token is checked first (onRequest), before the name is validated or looked up, so a caller
 * without it learns nothing about the models.
 */
export function registerAdminRoutes(app: ZodApp, context: RouteContext, adminToken: string): void {
  const check = createBearerCheck(adminToken);
  const options = {
    schema: {
      tags: ['Admin'],
      security: [{ bearerAuth: [] }],
      summary: 'Load, unload or reload (hot swap) a model',
      params: modelNameParams,
    },
    onRequest: async (request: { headers: { authorization?: string } }) =>
      check(request.headers.authorization),
  };
  const actions = {
    load: (name: string) => context.loader.load(name),
    unload: (name: string) => context.loader.unload(name),
    reload: (name: string) => context.loader.reload(name),
  };
  for (const [action, run] of Object.entries(actions)) {
    app.post(`/models/:name/${action}`, options, async (request) => {
      const { name } = request.params;
      // Look the name up before acting so an unknown one is a 404 that touches nothing.
      context.loader.getModelInfo(name);
      request.log.info({ model: name, action }, `admin ${action}`);
      await run(name);
      return { action, model: publicModelInfo(context, name) };
    });
  }
}
