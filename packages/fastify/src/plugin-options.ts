import { formatIssues, ModelLoaderError, type ModelRegistry } from '@model-loader/core';
import { type ModelLimits, modelLimitsSchema } from '@model-loader/core/models-file';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { ClientKeyBy } from './hardening/client-key.js';
import type { RateLimitOptions } from './hardening/register-rate-limit.js';
import type { OpenApiOptions } from './openapi/register-openapi.js';
import type { ServerIdentity } from './routes/kserve-routes.js';
import type { ModelSignature } from './routes/model-signature.js';
import type { StartupPull } from './startup-pull.js';

/** Limits of `app.models.run` for one model: the models file's `limits` (one schema, in core). */
export type { ModelLimits };

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
  /** `GET /v2`'s server name and version. @default { name: 'model-loader', version: this package's version } */
  readonly server?: ServerIdentity;
  /** Inputs and outputs `GET /v2/models/{name}` shows, by model name. @default none (empty lists) */
  readonly signatures?: Readonly<Record<string, ModelSignature>>;
  /**
   * The OpenAPI 3.1 document at `GET /openapi.json` and Swagger UI at `/docs` (`docs: false` for the
   * document alone), or `false` for neither. @default true
   */
  readonly openapi?: boolean | OpenApiOptions;
  /** Per-client rate limit of every route but the probes and `/metrics`, or `false`. @default false */
  readonly rateLimit?: false | RateLimitOptions;
  /** What identifies a client for the fair queue (and the rate limit's default). @default 'ip' */
  readonly clientKeyBy?: ClientKeyBy;
  /** Longest request URL; longer answers 414 URI_TOO_LONG. @default 8192 */
  readonly maxUrlLength?: number;
  /** How often `/health` checks that the files of loaded models still exist; 0 for never. @default 5000 */
  readonly fileCheckIntervalInMs?: number;
}

const tensorSchema = z.strictObject({
  name: z.string().min(1),
  datatype: z.string().min(1),
  shape: z.array(z.int().min(-1)),
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
  server: z.strictObject({ name: z.string().min(1), version: z.string().min(1) }).optional(),
  signatures: z
    .record(
      z.string(),
      z.strictObject({ inputs: z.array(tensorSchema), outputs: z.array(tensorSchema) }),
    )
    .default({}),
  openapi: z
    .union([
      z.boolean(),
      z.strictObject({
        title: z.string().min(1).optional(),
        version: z.string().min(1).optional(),
        description: z.string().optional(),
        docs: z.boolean().optional(),
      }),
    ])
    .default(true),
  rateLimit: z
    .union([
      z.literal(false),
      z.strictObject({
        max: z.int().min(1),
        timeWindowInMs: z.int().min(1).optional(),
        keyBy: z.enum(['ip', 'api-key']).optional(),
        allowList: z.array(z.string()).optional(),
      }),
    ])
    .default(false),
  clientKeyBy: z.enum(['ip', 'api-key']).default('ip'),
  maxUrlLength: z.int().min(64).default(8192),
  fileCheckIntervalInMs: z.int().min(0).default(5000),
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
      `Invalid options for @model-loader/fastify:\n${formatIssues(result.error.issues, { style: 'list' })}`,
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
  const maxQueue = own.maxQueue ?? limits.maxQueue ?? 16;
  return {
    concurrency: own.concurrency ?? limits.concurrency ?? 1,
    maxQueue,
    maxQueuePerClient: Math.min(
      maxQueue,
      own.maxQueuePerClient ?? limits.maxQueuePerClient ?? Math.max(1, Math.ceil(maxQueue / 2)),
    ),
    timeoutInMs: own.timeoutInMs ?? limits.timeoutInMs ?? 60_000,
    retryAfterInSeconds: own.retryAfterInSeconds ?? limits.retryAfterInSeconds ?? 1,
  };
}
