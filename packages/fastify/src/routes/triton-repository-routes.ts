import { isReady, type ModelInfo } from '@model-loader/core';
import { z } from 'zod';
import { createBearerCheck } from '../auth/bearer-auth.js';
import { HttpError } from '../errors/http-error.js';
import { scrubDeep } from '../errors/scrub-paths.js';
import { MODEL_VERSION } from './kserve-names.js';
import { modelNameParams } from './model-name.js';
import type { RouteContext, ZodApp } from './route-context.js';

const tags = ['Triton model repository'];

const indexBody = z
  .strictObject({
    /** Only models ready for inference. @default false */
    ready: z.boolean().optional(),
  })
  .nullish();

const loadBody = z
  .strictObject({
    /** Triton's `config` and `file:` overrides are refused: a model is what the models file says. */
    parameters: z.record(z.string(), z.unknown()).optional(),
  })
  .nullish();

const unloadBody = z
  .strictObject({
    parameters: z
      .strictObject({
        /** Accepted and true to its meaning: no model here has dependents (no ensembles). */
        unload_dependents: z.boolean().optional(),
      })
      .optional(),
  })
  .nullish();

/** Triton's model states for the engine's. */
function tritonState(info: ModelInfo): { state: string; reason: string } {
  switch (info.state) {
    case 'loaded':
      return { state: 'READY', reason: '' };
    case 'idle':
      return { state: 'READY', reason: 'idle: loads on the first request' };
    case 'validating':
    case 'loading':
      return { state: 'LOADING', reason: '' };
    case 'failed':
      return {
        state: 'UNAVAILABLE',
        reason: info.lastError
          ? `${info.lastError.code}: ${info.lastError.message}`
          : 'load failed',
      };
    case 'unloaded':
      return { state: 'UNAVAILABLE', reason: 'unloaded' };
    default:
      return { state: 'UNAVAILABLE', reason: 'not loaded yet' };
  }
}

/**
 * Triton's model repository extension, as aliases of the admin routes with the same bearer token:
 * `POST /v2/repository/index` (every model, its version, state and reason), and
 * `POST /v2/repository/models/{name}/load` (a loaded model is reloaded with the core's hot swap,
 * as Triton reloads) and `/unload`. Success answers 200 with an empty body, as Triton does.
 */
export function registerTritonRepositoryRoutes(
  app: ZodApp,
  context: RouteContext,
  adminToken: string,
): void {
  const check = createBearerCheck(adminToken);
  const onRequest = async (request: { headers: { authorization?: string } }) =>
    check(request.headers.authorization);
  const security = [{ bearerAuth: [] }];

  app.post(
    '/v2/repository/index',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Every model with its version, state (READY, LOADING, UNAVAILABLE) and reason',
        body: indexBody,
      },
    },
    async (request) => {
      const onlyReady = request.body?.ready === true;
      return context.loader.modelNames
        .map((name) => scrubDeep(context.loader.getModelInfo(name), context.modelDirs))
        .filter((info) => !onlyReady || isReady(info.state))
        .map((info) => ({ name: info.name, version: MODEL_VERSION, ...tritonState(info) }));
    },
  );

  app.post(
    '/v2/repository/models/:name/load',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary:
          'Load a model; a loaded one is reloaded (hot swap: the old copy serves until then)',
        params: modelNameParams,
        body: loadBody,
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      const info = context.loader.getModelInfo(name);
      const given = Object.keys(request.body?.parameters ?? {});
      if (given.length > 0) {
        throw new HttpError(
          'REQUEST_INVALID',
          `Load parameters are not supported (got ${given.map((key) => `"${key.slice(0, 64)}"`).join(', ')}): a model is loaded as the models file describes it`,
        );
      }
      const reload = info.state === 'loaded';
      request.log.info({ model: name, action: reload ? 'reload' : 'load' }, 'repository load');
      await (reload ? context.loader.reload(name) : context.loader.load(name));
      return reply.code(200).send();
    },
  );

  app.post(
    '/v2/repository/models/:name/unload',
    {
      onRequest,
      schema: {
        tags,
        security,
        summary: 'Unload a model (waits for the calls using it)',
        params: modelNameParams,
        body: unloadBody,
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      context.loader.getModelInfo(name);
      request.log.info({ model: name, action: 'unload' }, 'repository unload');
      await context.loader.unload(name);
      return reply.code(200).send();
    },
  );
}
