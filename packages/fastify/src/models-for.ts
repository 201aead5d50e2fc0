import type { FastifyInstance } from 'fastify';
import type { FastifyModels, ModelsOfLoader } from './fastify-models.js';

/**
 * `app.models` typed by the models registered on `loader`, for an app that builds its loader in
 * code: `modelsFor(app, loader).run('a', (model) => model.generate(...))` without a type argument.
 * (An app whose models come from a models file augments `ModelLoaderRegister` instead.)
 * @throws Error when `loader` is not the loader the plugin was registered with
 */
export function modelsFor<TLoader extends FastifyModels['loader']>(
  app: FastifyInstance,
  loader: TLoader,
): FastifyModels<ModelsOfLoader<TLoader>> {
  if (app.models.loader !== loader) {
    throw new Error('modelsFor: `loader` is not the loader given to the model-loader plugin');
  }
  // Checked above: the plugin serves exactly the models registered on this loader.
  return app.models as unknown as FastifyModels<ModelsOfLoader<TLoader>>;
}
