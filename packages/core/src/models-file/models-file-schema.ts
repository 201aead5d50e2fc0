import { z } from 'zod';
import { isolationSchema, modelFieldsSchema } from './model-fields-schema.js';
import { modelLimitsSchema } from './model-limits-schema.js';

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

/** Options of {@link createModelsFileSchema}. */
export interface ModelsFileSchemaOptions {
  /**
   * Adapter names a model may use (a server's adapter map keys); each model must name one. Without
   * it (the CLI, which loads nothing) `adapter` is optional and any name.
   */
  readonly adapterNames?: readonly string[];
}

function adapterField(adapterNames: readonly string[] | undefined) {
  if (adapterNames === undefined) return z.string().min(1).optional();
  const known = adapterNames.join(', ');
  return z.string().refine((name) => adapterNames.includes(name), {
    error: (issue) => `unknown adapter ${JSON.stringify(issue.input)}; use one of: ${known}`,
  });
}

/**
 * Builds the schema of a models file: the loader settings and `models`, each the shared
 * {@link modelFieldsSchema} plus `name`, `adapter` and the HTTP `limits`.
 */
export function createModelsFileSchema(options: ModelsFileSchemaOptions = {}) {
  const model = z.strictObject({
    name: z.string().regex(modelNamePattern, {
      message:
        'must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 128)',
    }),
    adapter: adapterField(options.adapterNames),
    ...modelFieldsSchema.shape,
    limits: modelLimitsSchema.optional(),
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
      isolation: isolationSchema.optional(),
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

/** A models file parsed without adapter names (the CLI's view): `adapter` may be missing. */
export type AnyModelsFile = z.output<ReturnType<typeof createModelsFileSchema>>;
/** One model of a parsed models file, with the adapter it names. */
export type ModelEntry = AnyModelsFile['models'][number] & { readonly adapter: string };
/** A models file parsed with adapter names: every model names one of them. */
export type ModelsFile = Omit<AnyModelsFile, 'models'> & { readonly models: ModelEntry[] };
