import { dirname, relative, resolve } from 'node:path';
import { formatIssues, ModelLoaderError, type SourceEnvironment } from '@model-loader/core';
import {
  findModelsFile,
  MODELS_FILE_NAMES,
  type ModelEntry,
  type ModelLimits,
  type ModelsFile,
  readModelsFile,
} from '@model-loader/core/models-file';
import type { ClientKeyBy } from '../hardening/client-key.js';
import type { LimitsOptions } from '../plugin-options.js';
import { type ServerEnv, serverEnvNames, serverEnvSchema } from './server-env.js';

/** Options of {@link loadServerConfig}. */
export interface LoadServerConfigOptions {
  /** Adapter names a model may use (the keys of the server's adapter map). */
  readonly adapterNames: readonly string[];
  /** Environment to read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths in the environment are resolved against. @default process.cwd() */
  readonly cwd?: string;
}

/** Everything a server needs to start, parsed once. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly adminToken?: string;
  readonly logLevel: ServerEnv['LOG_LEVEL'];
  readonly bodyLimitInBytes: number;
  readonly shutdownGraceInMs: number;
  /** Absolute folder of the model files. */
  readonly modelDir: string;
  /** Absolute path of the models file that was read. */
  readonly modelsFile: string;
  readonly validateChecksums?: boolean;
  /** Re-hash on every load, ignoring the fingerprint cache. */
  readonly strictChecksums?: boolean;
  /** Absolute folder of the fingerprint cache, or `false` for none. */
  readonly checksumCacheDirectory?: string | false;
  /** Lock file, absolute or relative to `modelDir` (as the core takes it). */
  readonly lockFile?: string;
  /** Download missing files of models with a `source` before loading them. */
  readonly pullOnStart?: boolean;
  /** HF_ENDPOINT and HF_TOKEN for `hf://` sources. */
  readonly sourceEnvironment?: SourceEnvironment;
  readonly loadConcurrency?: number;
  readonly memoryBudgetInBytes?: number;
  /** Where models run unless their entry says otherwise. @default 'process' */
  readonly isolation: 'process' | 'none';
  /** Supervision of model processes: restart limit and window, heartbeat, kill grace. */
  readonly processes?: ModelsFile['processes'];
  readonly models: readonly ModelEntry[];
  /** Limits for `app.models.run`: the environment's defaults plus each model's `limits`. */
  readonly limits: LimitsOptions;
  /** Per-client rate limit (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_MS), or undefined for none. */
  readonly rateLimit?: { readonly max: number; readonly timeWindowInMs: number };
  /** What identifies a client (CLIENT_KEY). */
  readonly clientKeyBy: ClientKeyBy;
  /** Serve `/openapi.json` (OPENAPI) and `/docs` (API_DOCS). */
  readonly openapi: { readonly document: boolean; readonly docs: boolean };
}

function configError(message: string, cause?: unknown): ModelLoaderError {
  return new ModelLoaderError('CONFIG_INVALID', message, cause === undefined ? {} : { cause });
}

/**
 * The error of a start with no MODELS_FILE and none of models.yaml, models.yml, models.json in the
 * working directory: a server never falls back to demo models on its own.
 */
export function noModelsFile(): ModelLoaderError {
  return new ModelLoaderError(
    'CONFIG_INVALID',
    `No models file: MODELS_FILE is not set and the working directory has none of ${MODELS_FILE_NAMES.join(', ')}. Create one, set MODELS_FILE to its path, or start the demo models with DEMO=1.`,
  );
}

/**
 * Reads the environment (MODEL_DIR, MODELS_FILE, HOST, PORT, ADMIN_TOKEN, LOG_LEVEL, ...) and the
 * models file (YAML or JSON: MODELS_FILE, else the first of models.yaml, models.yml, models.json in
 * `cwd`), and validates both with zod. Empty variables count as unset.
 * @throws ModelLoaderError CONFIG_INVALID with one line per problem, naming the field and the fix;
 * also when there is no models file
 */
export async function loadServerConfig(options: LoadServerConfigOptions): Promise<ServerConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const given = Object.fromEntries(
    serverEnvNames
      .map((name) => [name, env[name]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsedEnv = serverEnvSchema.safeParse(given);
  if (!parsedEnv.success) {
    throw configError(
      `Invalid environment variables:\n${formatIssues(parsedEnv.error.issues, { style: 'list' })}\nFix or unset them and start again.`,
    );
  }
  const vars = parsedEnv.data;
  const found = vars.MODELS_FILE ? resolve(cwd, vars.MODELS_FILE) : await findModelsFile(cwd);
  if (found === undefined) throw noModelsFile();
  const modelsFile = found;
  const shown = vars.MODELS_FILE ?? relative(cwd, modelsFile);
  const file = await readModelsFile({
    path: modelsFile,
    shownAs: shown,
    adapterNames: options.adapterNames,
  });

  const modelDir = vars.MODEL_DIR
    ? resolve(cwd, vars.MODEL_DIR)
    : file.modelDir
      ? resolve(dirname(modelsFile), file.modelDir)
      : resolve(cwd, 'models');
  const flag = (value: string | undefined, fallback: boolean | undefined) =>
    value === undefined ? fallback : value === 'true' || value === '1';
  const validateChecksums = flag(vars.VALIDATE_CHECKSUMS, file.validateChecksums);
  const strictChecksums = flag(vars.STRICT_CHECKSUMS, file.strictChecksums);
  const checksumCacheDirectory =
    vars.CHECKSUM_CACHE_DIR === undefined
      ? typeof file.checksumCacheDirectory === 'string'
        ? resolve(dirname(modelsFile), file.checksumCacheDirectory)
        : file.checksumCacheDirectory
      : vars.CHECKSUM_CACHE_DIR === 'false'
        ? false
        : resolve(cwd, vars.CHECKSUM_CACHE_DIR);
  const lockFile = vars.LOCK_FILE ?? file.lockFile;
  const pullOnStart = flag(vars.PULL_ON_START, file.pullOnStart);
  const sourceEnvironment: SourceEnvironment = {
    ...(vars.HF_ENDPOINT ? { huggingFaceEndpoint: vars.HF_ENDPOINT } : {}),
    ...(vars.HF_TOKEN ? { huggingFaceToken: vars.HF_TOKEN } : {}),
  };
  const perModel: Record<string, ModelLimits> = Object.fromEntries(
    file.models.filter((entry) => entry.limits).map((entry) => [entry.name, entry.limits!]),
  );
  const loadConcurrency = vars.LOAD_CONCURRENCY ?? file.loadConcurrency;
  const memoryBudgetInBytes = vars.MEMORY_BUDGET_BYTES ?? file.memoryBudgetInBytes;

  return {
    host: vars.HOST,
    port: vars.PORT,
    ...(vars.ADMIN_TOKEN ? { adminToken: vars.ADMIN_TOKEN } : {}),
    logLevel: vars.LOG_LEVEL,
    bodyLimitInBytes: vars.BODY_LIMIT_BYTES,
    shutdownGraceInMs: vars.SHUTDOWN_GRACE_MS,
    modelDir,
    modelsFile,
    ...(validateChecksums === undefined ? {} : { validateChecksums }),
    ...(strictChecksums === undefined ? {} : { strictChecksums }),
    ...(checksumCacheDirectory === undefined ? {} : { checksumCacheDirectory }),
    ...(lockFile === undefined ? {} : { lockFile }),
    ...(pullOnStart === undefined ? {} : { pullOnStart }),
    ...(Object.keys(sourceEnvironment).length === 0 ? {} : { sourceEnvironment }),
    ...(loadConcurrency === undefined ? {} : { loadConcurrency }),
    ...(memoryBudgetInBytes === undefined ? {} : { memoryBudgetInBytes }),
    isolation: vars.MODEL_ISOLATION ?? file.isolation ?? 'process',
    ...(file.processes ? { processes: file.processes } : {}),
    models: file.models,
    limits: {
      concurrency: vars.MODEL_CONCURRENCY,
      maxQueue: vars.MODEL_QUEUE_SIZE,
      ...(vars.MODEL_QUEUE_PER_CLIENT === undefined
        ? {}
        : { maxQueuePerClient: vars.MODEL_QUEUE_PER_CLIENT }),
      timeoutInMs: vars.REQUEST_TIMEOUT_MS,
      models: perModel,
    },
    ...(vars.RATE_LIMIT_MAX
      ? { rateLimit: { max: vars.RATE_LIMIT_MAX, timeWindowInMs: vars.RATE_LIMIT_WINDOW_MS } }
      : {}),
    clientKeyBy: vars.CLIENT_KEY,
    openapi: {
      document: flag(vars.OPENAPI, true) === true,
      docs: flag(vars.OPENAPI, true) === true && flag(vars.API_DOCS, true) === true,
    },
  };
}
