import { availableParallelism } from 'node:os';
import type { Logger } from '@model-loader/core';
import type { Llama } from 'node-llama-cpp';
import { z } from 'zod';

const positiveInteger = z.number().int().positive();
const gpuLayersSchema = z.union([z.literal('auto'), z.literal('max'), z.number().int().min(0)]);

/** Options a model spec may set for one GGUF model (`ModelSpec.options`); they override the settings. */
export const ggufLoadOptionsSchema = z
  .object({
    gpuLayers: gpuLayersSchema.optional(),
    threadCount: positiveInteger.optional(),
    contextSize: positiveInteger.optional(),
    batchSize: positiveInteger.optional(),
    parallelSequences: positiveInteger.max(64).optional(),
    useMmap: z.boolean().optional(),
    useMlock: z.boolean().optional(),
  })
  .strict();

export const ggufAdapterSettingsSchema = ggufLoadOptionsSchema
  .extend({
    gpu: z
      .union([z.literal('auto'), z.literal(false), z.enum(['cuda', 'vulkan', 'metal'])])
      .optional(),
    maxQueuedRequests: z.number().int().min(0).optional(),
    llama: z.custom<Llama>((value) => typeof value === 'object' && value !== null).optional(),
    logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).optional(),
  })
  .strict();

/** Per-model options of the GGUF adapter (`ModelSpec.options`), each overriding the adapter setting. */
export interface GgufLoadOptions {
  /** Layers to offload to the GPU: a count, `'auto'` (what fits) or `'max'`. @default 'auto' */
  readonly gpuLayers?: number | 'auto' | 'max';
  /** CPU threads for evaluation. @default os.availableParallelism() */
  readonly threadCount?: number;
  /** Context size in tokens of each sequence. @default min(trained context length, 4096) */
  readonly contextSize?: number;
  /** Batch size for prompt evaluation. @default node-llama-cpp's (the context size, capped at 512) */
  readonly batchSize?: number;
  /** Requests served at once: sequences in the model's context pool (1-64). @default 1 */
  readonly parallelSequences?: number;
  /** Map the file instead of reading it into memory. @default node-llama-cpp's (true where supported) */
  readonly useMmap?: boolean;
  /** Lock the model in RAM so it is never swapped out. @default false */
  readonly useMlock?: boolean;
}

/** Settings of `createGgufAdapter`. */
export interface GgufAdapterSettings extends GgufLoadOptions {
  /** GPU backend: `'auto'` (best available), `false` (CPU only), or a backend name. @default 'auto' */
  readonly gpu?: 'auto' | false | 'cuda' | 'vulkan' | 'metal';
  /** Requests waiting for a free sequence; one more is refused with an error. @default 64 */
  readonly maxQueuedRequests?: number;
  /**
   * A `Llama` instance from node-llama-cpp's `getLlama()` to use instead of creating one. `gpu` and
   * `threadCount` then only apply to contexts; its logger is wrapped to capture load failures.
   */
  readonly llama?: Llama;
  /** Receives llama.cpp's warnings and errors outside model loads. @default silent */
  readonly logger?: Logger;
}

/** Settings with the defaults filled in. */
export interface ResolvedGgufSettings {
  readonly gpu: 'auto' | false | 'cuda' | 'vulkan' | 'metal';
  readonly gpuLayers: number | 'auto' | 'max';
  readonly threadCount: number;
  readonly contextSize?: number;
  readonly batchSize?: number;
  readonly parallelSequences: number;
  readonly useMmap?: boolean;
  readonly useMlock: boolean;
  readonly maxQueuedRequests: number;
}

/** Formats the first zod issue as "`field`: message". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `\`${issue.path.join('.') || '(root)'}\`: ${issue.message}`)
    .join('; ');
}

/**
 * Fills in defaults. Threads default to the machine's available parallelism: node-llama-cpp's own
 * CPU default is max(cores, 4), which oversubscribes small machines (see the package README).
 */
export function resolveGgufSettings(
  settings: GgufAdapterSettings,
  options: GgufLoadOptions = {},
): ResolvedGgufSettings {
  const merged = { ...settings, ...options };
  return {
    gpu: settings.gpu ?? 'auto',
    gpuLayers: merged.gpuLayers ?? 'auto',
    threadCount: merged.threadCount ?? availableParallelism(),
    ...(merged.contextSize === undefined ? {} : { contextSize: merged.contextSize }),
    ...(merged.batchSize === undefined ? {} : { batchSize: merged.batchSize }),
    parallelSequences: merged.parallelSequences ?? 1,
    ...(merged.useMmap === undefined ? {} : { useMmap: merged.useMmap }),
    useMlock: merged.useMlock ?? false,
    maxQueuedRequests: settings.maxQueuedRequests ?? 64,
  };
}
