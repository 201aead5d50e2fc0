import { ModelLoaderError, type ModelRegistry } from '@model-loader/core';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { formatIssues } from './config/format-issues.js';
import type { StartupPull } from './startup-pull.js';

/** Limits of `app.models.run` for one model. */
export interface ModelLimits {
  /** Calls running with the model at once. @default 1 */
  readonly concurrency?: number;
  /** Calls waiting for a slot; more are refused with 503 QUEUE_FULL and `Retry-After`. @default 16 */
  readonly maxQueue?: number;
  /** Time limit of one call, queue wait included; the work's signal aborts then. @default 60000 */
  readonly timeoutInMs?: number;
  /** Seconds sent in `Retry-After` with QUEUE_FULL. @default 1 */
  readonly retryAfterInSeconds?: number;
}

/** Limits for every model, with per-model overrides. */
export interface LimitsOptions extends ModelLimits {
  /** Overrides by model name. */
  readonly models?: Readonly<Record<string, ModelLimits>>;
}

/** Prometheus metrics settings. */
export interface MetricsOptions {
  /** Prefix of the model metrics. @default 'model_loader_' */
  readonly prefix?: string;
  /** Collect prom-client's default process and Node.js metrics too. @default true */
  readonly defaultMetrics?: boolean;
  /** Registry to write to. @default a new registry for this app (never prom-client's global one) */
  readonly registry?: Registry;
}

/** Options of `modelLoaderPlugin`. */
export interface ModelLoaderPluginOptions {
  /** The loader whose models the routes serve: any `ModelLoader`. */
  readonly loader: ModelRegistry;
  /**
   * Enables `POST /models/:name/{load,unload,reload}` behind `Authorization: Bearer <token>`.
   * At least 16 characters. @default undefined (admin routes are not registered)
   */
  readonly adminToken?: string;
  /** `GET /metrics` with Prometheus text, or `false` for none. @default true */
  readonly metrics?: boolean | MetricsOptions;
  /** Concurrency, queue and timeout of `app.models.run`. */
  readonly limits?: LimitsOptions;
  /**
   * Runs before the background load (see `createStartupPull`): downloads missing model files while
   * the models read `loading`, with progress under `pull` in `/models/:name`. @default none
   */
  readonly startupPull?: StartupPull;
  /** Load every model in the background once the server listens (`app.listen`). @default true */
  readonly loadOnListen?: boolean;
  /** Close the loader (abort loads, dispose models) when the app closes. @default true */
  readonly closeLoader?: boolean;
  /**
   * Install the error and not-found handlers that answer `{ error: { code, message } }` for the
   * whole app. Turn off only when the app has its own. @default true
   */
  readonly errorHandler?: boolean;
}

const modelLimitsSchema = z.strictObject({
  concurrency: z.int().min(1).optional(),
  maxQueue: z.int().min(0).optional(),
  timeoutInMs: z.number().positive().finite().optional(),
  retryAfterInSeconds: z.int().min(1).optional(),
});

const registryMethods = [
  'get',
  'use',
  'load',
  'unload',
  'reload',
  'getHealthStatus',
  'on',
  'close',
];

const optionsSchema = z.object({
  loader: z.custom<ModelRegistry>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      registryMethods.every(
        (method) => typeof (value as Record<string, unknown>)[method] === 'function',
      ),
    { message: 'must be a ModelLoader from @model-loader/core' },
  ),
  adminToken: z
    .string()
    .min(16, { message: 'must be at least 16 characters (use a random secret)' })
    .optional(),
  metrics: z
    .union([
      z.boolean(),
      z.strictObject({
        prefix: z
          .string()
          .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, {
            message: 'must be a Prometheus metric name prefix',
          })
          .optional(),
        defaultMetrics: z.boolean().optional(),
        registry: z
          .custom<Registry>((value) => value instanceof Registry, {
            message: 'must be a prom-client Registry',
          })
          .optional(),
      }),
    ])
    .default(true),
  limits: modelLimitsSchema
    .extend({ models: z.record(z.string(), modelLimitsSchema).optional() })
    .strict()
    .default({}),
  startupPull: z
    .custom<StartupPull>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        typeof (value as StartupPull).run === 'function' &&
        typeof (value as StartupPull).status === 'function',
      { message: 'must be a StartupPull (createStartupPull)' },
    )
    .optional(),
  loadOnListen: z.boolean().default(true),
  closeLoader: z.boolean().default(true),
  errorHandler: z.boolean().default(true),
});

/** Options after validation, with defaults applied. */
export type ResolvedPluginOptions = z.output<typeof optionsSchema>;

/**
 * Validates the plugin options.
 * @throws ModelLoaderError CONFIG_INVALID naming each wrong option
 */
export function parsePluginOptions(options: unknown): ResolvedPluginOptions {
  const result = optionsSchema.safeParse(options ?? {});
  if (!result.success) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid options for @model-loader/fastify:\n${formatIssues(result.error)}`,
    );
  }
  return result.data;
}

/** The limits that apply to `model`. */
export function limitsFor(
  limits: ResolvedPluginOptions['limits'],
  model: string,
): Required<ModelLimits> {
  const own = limits.models?.[model] ?? {};
  return {
    concurrency: own.concurrency ?? limits.concurrency ?? 1,
    maxQueue: own.maxQueue ?? limits.maxQueue ?? 16,
    timeoutInMs: own.timeoutInMs ?? limits.timeoutInMs ?? 60_000,
    retryAfterInSeconds: own.retryAfterInSeconds ?? limits.retryAfterInSeconds ?? 1,
  };
}
