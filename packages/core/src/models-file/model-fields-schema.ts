import { z } from 'zod';
import { parseModelSource } from '../pull/model-source.js';
import { keepAliveProblem, parseKeepAliveInMs } from './keep-alive.js';

/** One checksum: `"sha256:<hex>"` (a bare hex string means sha256), or `{ algorithm, expected }`. */
export const checksumValueSchema = z.union([
  z.string().min(1),
  z.strictObject({ algorithm: z.enum(['sha256', 'md5', 'sha1']), expected: z.string().min(1) }),
]);

/** `https://...`, `http://...` or `hf://org/repo/path@revision`, checked by the core's parser. */
const sourceValue = z.string().superRefine((value, context) => {
  try {
    parseModelSource(value);
  } catch (error) {
    context.addIssue({
      code: 'custom',
      message: (error as Error).message.replace(/^Invalid model source "[\s\S]*?": /, ''),
    });
  }
});

/** Where a model runs: `'process'` or `'none'`. */
export const isolationSchema = z.enum(['process', 'none'], {
  message:
    "must be 'process' (a supervised child process per model) or 'none' (in the server's process)",
});

/** `keepAlive`: checked, then parsed to milliseconds (`Infinity` for forever). */
const keepAliveValue = z
  .custom<string | number>((value) => keepAliveProblem(value) === undefined, {
    error: (issue) => keepAliveProblem(issue.input) ?? 'invalid keep-alive',
  })
  .transform((value) => parseKeepAliveInMs(value));

/**
 * The fields of one model that a models file entry and a `ModelSpec` share (everything but `name`
 * and `adapter`). `ModelSpec` takes its field types from this schema's `z.input`.
 */
export const modelFieldsSchema = z.object({
  /** File or folder of the model, absolute or relative to `modelDir`; it must stay inside `modelDir`. */
  path: z.string().min(1, { message: 'must be the model file or folder, relative to modelDir' }),
  /** A required model that fails makes the service unhealthy; an optional one, degraded. @default true */
  required: z.boolean().optional(),
  /**
   * Expected checksum of the file: `"sha256:<hex>"` (a bare hex string means sha256) or
   * `{ algorithm, expected }`. For a directory adapter: a record from each file's path relative to
   * the model folder to its checksum.
   */
  checksum: z.union([checksumValueSchema, z.record(z.string(), checksumValueSchema)]).optional(),
  /** Where `model-loader pull` (and `pullOnStart`) download the model from: https://, http:// or hf://org/repo/path@revision. */
  source: sourceValue.optional(),
  /**
   * The model may load with files that no checksum pins when a lock file is configured: they are
   * loaded unverified, with a warning, and `getModelInfo` says `verified: false`. Without it, such a
   * model fails with LOCK_ENTRY_MISSING. @default false
   */
  allowUnpinned: z.boolean().optional(),
  /** Load attempts in all; retries wait 0.5 s, 1 s, 2 s ... @default 1 */
  attempts: z.int().min(1).optional(),
  /** Time limit of one load attempt; the loader's signal is aborted when it passes. */
  loadTimeoutInMs: z.number().positive().optional(),
  /** Memory the model takes when the adapter cannot estimate it; used by the memory budget. */
  memoryEstimateInBytes: z.number().min(0).optional(),
  /** Options handed to the adapter. */
  options: z.record(z.string(), z.unknown()).optional(),
  /**
   * `'process'`: load and serve the model in its own supervised child process (the adapter needs a
   * `processEntry`; `get` then returns a `Remote` handle). `'none'`: in the engine's process.
   * @default the loader's `isolation`
   */
  isolation: isolationSchema.optional(),
  /**
   * `'startup'`: loaded by `loadAll` when the server starts. `'on-demand'`: loaded on first use.
   * @default 'startup'
   */
  load: z.enum(['startup', 'on-demand']).optional(),
  /**
   * How long the model stays loaded after its last use: `'30s'`, `'5m'`, `'1h'`, a number of
   * milliseconds, `0` (unload when idle), `-1` or `'forever'`. Parsed to milliseconds
   * (`Infinity` for forever) by the schema and by `parseKeepAliveInMs`. @default 'forever'
   */
  keepAlive: keepAliveValue.optional(),
  /**
   * Whether the memory budget may unload the model while nobody uses it, to make room for another
   * model's load (least recently used first). @default true for `load: 'on-demand'`, false for
   * startup models (they stay loaded, as without a scheduler)
   */
  evictable: z.boolean().optional(),
});

/** The shared model fields as a caller writes them. */
export type ModelFieldsInput = z.input<typeof modelFieldsSchema>;
/** The shared model fields after parsing (`keepAlive` in milliseconds). */
export type ModelFields = z.output<typeof modelFieldsSchema>;
