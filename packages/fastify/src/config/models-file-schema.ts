import { parseModelSource } from '@model-loader/core';
import { z } from 'zod';

const checksumValue = z.union([
  z.string().min(1),
  z.strictObject({ algorithm: z.enum(['sha256', 'md5', 'sha1']), expected: z.string().min(1) }),
]);

const modelLimits = z.strictObject({
  concurrency: z.int().min(1).optional(),
  maxQueue: z.int().min(0).optional(),
  timeoutInMs: z.number().positive().optional(),
  maxQueuePerClient: z.int().min(1).optional(),
  retryAfterInSeconds: z.int().min(1).optional(),
});

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

const isolation = z.enum(['process', 'none'], {
  message:
    "must be 'process' (a supervised child process per model) or 'none' (in the server's process)",
});

const processes = z.strictObject({
  maxRestarts: z.int().min(0).optional(),
  restartWindowInMs: z.int().positive().optional(),
  heartbeatIntervalInMs: z.int().positive().optional(),
  unresponsiveAfterInMs: z.int().positive().optional(),
  killGraceInMs: z.int().positive().optional(),
  estimateTimeoutInMs: z.int().positive().optional(),
});

/** Model names: safe in URLs, logs and metric labels. */
export const modelNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Builds the schema of a models file for the adapters the server knows. */
export function createModelsFileSchema(adapterNames: readonly string[]) {
  const known = adapterNames.join(', ');
  const model = z.strictObject({
    name: z.string().regex(modelNamePattern, {
      message:
        'must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 128)',
    }),
    adapter: z.string().refine((name) => adapterNames.includes(name), {
      error: (issue) => `unknown adapter ${JSON.stringify(issue.input)}; use one of: ${known}`,
    }),
    path: z.string().min(1, { message: 'must be the model file or folder, relative to modelDir' }),
    required: z.boolean().optional(),
    checksum: z.union([checksumValue, z.record(z.string(), checksumValue)]).optional(),
    source: sourceValue.optional(),
    /** With a lock file: may load (unverified, with a warning) when the lock does not pin it. */
    allowUnpinned: z.boolean().optional(),
    attempts: z.int().min(1).optional(),
    loadTimeoutInMs: z.number().positive().optional(),
    memoryEstimateInBytes: z.number().min(0).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    limits: modelLimits.optional(),
    isolation: isolation.optional(),
  });
  return z
    .strictObject({
      modelDir: z.string().min(1).optional(),
      validateChecksums: z.boolean().optional(),
      strictChecksums: z.boolean().optional(),
      checksumCacheDirectory: z.union([z.string().min(1), z.literal(false)]).optional(),
      lockFile: z.string().min(1).optional(),
      pullOnStart: z.boolean().optional(),
      loadConcurrency: z.int().min(1).optional(),
      memoryBudgetInBytes: z.number().positive().optional(),
      isolation: isolation.optional(),
      processes: processes.optional(),
      models: z.array(model).min(1, { message: 'list at least one model' }),
    })
    .superRefine((file, context) => {
      const seen = new Set<string>();
      file.models.forEach((entry, index) => {
        if (seen.has(entry.name)) {
          context.addIssue({
            code: 'custom',
            path: ['models', index, 'name'],
            message: `duplicate model name "${entry.name}"; give each model a unique name`,
          });
        }
        seen.add(entry.name);
      });
    });
}

/** A parsed models file. */
export type ModelsFile = z.output<ReturnType<typeof createModelsFileSchema>>;
/** One model of a models file. */
export type ModelEntry = ModelsFile['models'][number];
