import type { ModelInfo, ModelRegistry } from '@model-loader/core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { scrubDeep } from '../errors/scrub-paths.js';
import type { FastifyModels } from '../fastify-models.js';
import type { ModelPullStatus, StartupPull } from '../startup-pull.js';
import type { HealthCache } from './health-cache.js';

/** An app whose route schemas are zod schemas. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What the route modules share. */
export interface RouteContext {
  readonly loader: ModelRegistry;
  readonly models: FastifyModels;
  readonly modelDirs: readonly string[];
  readonly health: HealthCache;
  /** The pull that runs before the models load, when the server pulls at start. */
  readonly startupPull?: StartupPull;
}

/**
 * One model as `/models` shows it: the core's info, no absolute path, plus request counters, and
 * `pull` when the server pulls its files at start (the model reads `loading` while they download).
 */
export function publicModelInfo(
  context: RouteContext,
  name: string,
): ModelInfo & { requests: ReturnType<FastifyModels['requestStats']>; pull?: ModelPullStatus } {
  const info = scrubDeep(context.loader.getModelInfo(name), context.modelDirs);
  const pull = context.startupPull?.status(name);
  const pulling = pull && (pull.state === 'pending' || pull.state === 'pulling');
  return {
    ...info,
    ...(pulling && info.state === 'pending' ? { state: 'loading' as const } : {}),
    requests: context.models.requestStats(name),
    ...(pull ? { pull: scrubDeep(pull, context.modelDirs) } : {}),
  };
}
