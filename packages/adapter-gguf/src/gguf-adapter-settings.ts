import { availableParallelism } from 'node:os';
import type { Logger } from '@model-loader/core';
import type { Llama } from 'node-llama-cpp';
import { z } from 'zod';

const positiveInteger = z.number().int().positive();
const gpuLayersSchema = z.union([z.literal('auto'), z.literal('max'), z.number().int().min(0)]);
const gpuSchema = z.union([
  z.literal('auto'),
  z.literal(false),
  z.enum(['cuda', 'vulkan', 'metal']),
]);

/** Options a model spec may set for one GGUF model (`ModelSpec.options`); they override the settings. */
const loadOptionsShape = {
  /** Layers to offload to the GPU: a count, `'auto'` (what fits) or `'max'`. @default 'auto' */
  gpuLayers: gpuLayersSchema.optional(),
  /** CPU threads for evaluation. @default os.availableParallelism() */
  threadCount: positiveInteger.optional(),
  /** Context size in tokens of each sequence. @default min(trained context length, 4096) */
  contextSize: positiveInteger.optional(),
  /** Batch size for prompt evaluation. @default node-llama-cpp's (the context size, capped at 512) */
  batchSize: positiveInteger.optional(),
  /** Requests served at once: sequences in the model's context pool (1-64). @default 1 */
  parallelSequences: positiveInteger.max(64).optional(),
  /** Map the file instead of reading it into memory. @default node-llama-cpp's (true where supported) */
  useMmap: z.boolean().optional(),
  /** Lock the model in RAM so it is never swapped out. @default false */
  useMlock: z.boolean().optional(),
};

export const ggufLoadOptionsSchema = z.object(loadOptionsShape).strict();

const adapterOnlyShape = {
  /** GPU backend: `'auto'` (best available), `false` (CPU only), or a backend name. @default 'auto' */
  gpu: gpuSchema.optional(),
  /** Requests waiting for a free sequence; one more is refused with an error. @default 64 */
  maxQueuedRequests: z.number().int().min(0).optional(),
  /**
   * A `Llama` instance from node-llama-cpp's `getLlama()` to use instead of creating one. `gpu` and
   * `threadCount` then only apply to contexts; its logger is wrapped to capture load failures.
   */
  llama: z.custom<Llama>((value) => typeof value === 'object' && value !== null).optional(),
  /** Receives llama.cpp's warnings and errors outside model loads. @default silent */
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).optional(),
};

export const ggufAdapterSettingsSchema = z
  .object({ ...loadOptionsShape, ...adapterOnlyShape })
  .strict();

// Defaults apply once the model's options are laid over the adapter's settings. Threads default to
// the machine's available parallelism: node-llama-cpp's own CPU default is max(cores, 4), which
// oversubscribes small machines (see the package README).
const resolvedGgufSettingsSchema = z.object({
  gpu: gpuSchema.default('auto'),
  gpuLayers: gpuLayersSchema.default('auto'),
  threadCount: positiveInteger.default(() => availableParallelism()),
  contextSize: loadOptionsShape.contextSize,
  batchSize: loadOptionsShape.batchSize,
  parallelSequences: positiveInteger.max(64).default(1),
  useMmap: loadOptionsShape.useMmap,
  useMlock: z.boolean().default(false),
  maxQueuedRequests: z.number().int().min(0).default(64),
});

/** Per-model options of the GGUF adapter (`ModelSpec.options`), each overriding the adapter setting. */
export type GgufLoadOptions = z.input<typeof ggufLoadOptionsSchema>;
/** Settings of `createGgufAdapter` (input form: every field optional). */
export type GgufAdapterSettings = z.input<typeof ggufAdapterSettingsSchema>;
/** Settings with the defaults filled in. */
export type ResolvedGgufSettings = z.output<typeof resolvedGgufSettingsSchema>;

/**
 * Lays validated per-model `options` over validated adapter `settings` and fills in defaults.
 * `gpu` and `maxQueuedRequests` are adapter-wide: only `settings` sets them.
 */
export function resolveGgufSettings(
  settings: GgufAdapterSettings,
  options: GgufLoadOptions = {},
): ResolvedGgufSettings {
  const { llama: _llama, logger: _logger, ...plain } = settings;
  const merged = { ...stripUndefined(plain), ...stripUndefined(options) };
  return resolvedGgufSettingsSchema.parse({
    ...merged,
    gpu: settings.gpu,
    maxQueuedRequests: settings.maxQueuedRequests,
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
