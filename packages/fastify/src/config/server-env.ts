import { z } from 'zod';

const optionalNumber = (schema: z.ZodNumber) => z.coerce.number().pipe(schema).optional();

/** The environment variables the servers read, with their defaults. */
export const serverEnvSchema = z.object({
  /** Folder of the model files; relative to the working directory. Overrides the file's `modelDir`. */
  MODEL_DIR: z.string().min(1).optional(),
  /** The models file (YAML or JSON). @default the first of models.yaml, models.yml, models.json in the working directory */
  MODELS_FILE: z.string().min(1).optional(),
  /** Address to bind. @default 127.0.0.1 (set 0.0.0.0 in a container) */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Port to bind. @default 3000 */
  PORT: z.coerce.number().pipe(z.int().min(0).max(65535)).default(3000),
  /** Enables the admin routes; at least 16 characters. */
  ADMIN_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  /** pino level. @default info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body. @default 1 MiB */
  BODY_LIMIT_BYTES: z.coerce.number().pipe(z.int().positive()).default(1_048_576),
  /** Time limit of one model call, queue wait included. @default 60000 */
  REQUEST_TIMEOUT_MS: z.coerce.number().pipe(z.int().positive()).default(60_000),
  /** Calls running with one model at once. @default 1 */
  MODEL_CONCURRENCY: z.coerce.number().pipe(z.int().min(1)).default(1),
  /** Calls waiting per model before 503 MODEL_BUSY. @default 16 */
  MODEL_QUEUE_SIZE: z.coerce.number().pipe(z.int().min(0)).default(16),
  /** Calls one client may have waiting per model. @default half of MODEL_QUEUE_SIZE, rounded up */
  MODEL_QUEUE_PER_CLIENT: optionalNumber(z.int().min(1)),
  /** Requests one client may send per RATE_LIMIT_WINDOW_MS; unset or 0 turns rate limiting off. */
  RATE_LIMIT_MAX: optionalNumber(z.int().min(0)),
  /** Window of the rate limit. @default 60000 */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().pipe(z.int().positive()).default(60_000),
  /** What identifies a client (rate limit and fair queue): `ip`, or `api-key` (only behind a gateway that verifies keys). @default ip */
  CLIENT_KEY: z.enum(['ip', 'api-key']).default('ip'),
  /** `/openapi.json` (`true`/`false`). @default true */
  OPENAPI: z.enum(['true', 'false', '1', '0']).default('true'),
  /** The docs page at `/docs` (`true`/`false`); needs OPENAPI. @default true */
  API_DOCS: z.enum(['true', 'false', '1', '0']).default('true'),
  /** Time in-flight work gets to finish after SIGTERM. @default 30000 */
  SHUTDOWN_GRACE_MS: z.coerce.number().pipe(z.int().positive()).default(30_000),
  /** Verify checksums (`true`/`false`); overrides the file's `validateChecksums`. */
  VALIDATE_CHECKSUMS: z.enum(['true', 'false', '1', '0']).optional(),
  /** Re-hash every file on every load (`true`/`false`); overrides the file's `strictChecksums`. */
  STRICT_CHECKSUMS: z.enum(['true', 'false', '1', '0']).optional(),
  /** Folder of the checksum fingerprint cache, or `false` for none; overrides the file. */
  CHECKSUM_CACHE_DIR: z.string().min(1).optional(),
  /** Lock file pinning the model files, relative to the model directory; overrides the file. */
  LOCK_FILE: z.string().min(1).optional(),
  /** Download missing model files with a `source` before loading (`true`/`false`); overrides the file's `pullOnStart`. */
  PULL_ON_START: z.enum(['true', 'false', '1', '0']).optional(),
  /** Hugging Face endpoint for `hf://` sources. @default https://huggingface.co */
  HF_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  /** Hugging Face token for gated or private `hf://` sources, sent to HF_ENDPOINT only. */
  HF_TOKEN: z.string().min(1).optional(),
  /** Loads at once; overrides the file's `loadConcurrency`. */
  LOAD_CONCURRENCY: optionalNumber(z.int().min(1)),
  /** Where models run: `process` (each in a supervised child) or `none`; overrides the file. @default process */
  MODEL_ISOLATION: z.enum(['process', 'none']).optional(),
  /** Memory budget of the loaded models; overrides the file's `memoryBudgetInBytes`. */
  MEMORY_BUDGET_BYTES: optionalNumber(z.int().positive()),
});

/** The parsed environment. */
export type ServerEnv = z.output<typeof serverEnvSchema>;

/** Names the env schema reads, so empty values of other variables never matter. */
export const serverEnvNames = Object.keys(serverEnvSchema.shape) as (keyof ServerEnv)[];
