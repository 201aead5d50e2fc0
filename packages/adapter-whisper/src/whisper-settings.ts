import { z } from 'zod';

/** Options of one transcription; each defaults to the adapter's settings. */
const transcriptionOptionsShape = {
  /** Spoken language, as a code (`en`) or a name (`english`). Unset: the model's default. */
  language: z.string().min(2).max(32).optional(),
  /** `transcribe` keeps the spoken language; `translate` writes English. */
  task: z.enum(['transcribe', 'translate']).optional(),
  /** Return segments with start/end times (`chunks`). */
  returnTimestamps: z.boolean().optional(),
  /** Audio longer than this is cut into overlapping windows of this length (at most 30 s). */
  chunkLengthInSeconds: z.number().positive().max(30).optional(),
  /** Overlap of neighbouring windows; default: a sixth of the window. */
  strideLengthInSeconds: z.number().positive().optional(),
  /** Upper bound on generated tokens per window. */
  maxNewTokens: z.number().int().positive().max(448).optional(),
};

export const transcriptionOptionsSchema = z.object(transcriptionOptionsShape).strict();

/** Options of one `transcribe` call (and per-model `options` in the model spec). */
export type WhisperTranscriptionOptions = z.infer<typeof transcriptionOptionsSchema>;

export const whisperSettingsSchema = z
  .object({
    ...transcriptionOptionsShape,
    /** Weights variant, as transformers.js names it; picks `onnx/encoder_model{suffix}.onnx`. */
    dtype: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']).default('fp32'),
    /** onnxruntime execution provider. */
    device: z.enum(['cpu', 'cuda', 'dml', 'webgpu']).default('cpu'),
    task: z.enum(['transcribe', 'translate']).default('transcribe'),
    returnTimestamps: z.boolean().default(false),
    chunkLengthInSeconds: z.number().positive().max(30).default(30),
    /** onnxruntime intra-op threads; unset: onnxruntime's default (all cores). */
    threadCount: z.number().int().positive().max(256).optional(),
    /** Largest encoded audio accepted by `transcribe`. */
    maxAudioSizeInBytes: z
      .number()
      .int()
      .positive()
      .default(100 * 1024 * 1024),
    /** Longest audio accepted by `transcribe`. */
    maxAudioDurationInSeconds: z
      .number()
      .positive()
      .default(30 * 60),
  })
  .strict();

/** Settings of `createWhisperAdapter` (input form: every field optional). */
export type WhisperAdapterSettings = z.input<typeof whisperSettingsSchema>;
/** Settings after defaults. */
export type ResolvedWhisperSettings = z.output<typeof whisperSettingsSchema>;

/** File-name suffix transformers.js uses for each dtype (its DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const dtypeSuffix: Record<ResolvedWhisperSettings['dtype'], string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};
