import { ModelLoaderError } from '@model-loader/core';
import { z } from 'zod';

/** Limits on what a client may upload to `/asr`, `/ocr` and `/v1/audio/transcriptions`. */
export interface UploadLimits {
  /** Largest uploaded file (multipart part or raw body); more answers 413. @default 25 MiB (OpenAI's limit) */
  readonly maxUploadBytes: number;
  /** Longest audio after decoding; more answers 413 AUDIO_TOO_LONG. @default 600 */
  readonly maxAudioDurationInSeconds: number;
  /** Largest image, width x height, read from its header before decoding; more answers 413 IMAGE_TOO_LARGE. @default 25 000 000 */
  readonly maxImagePixels: number;
  /** Upload bytes in flight over all requests; past it 503 UPLOAD_BUDGET_EXCEEDED. @default 4 x maxUploadBytes */
  readonly uploadBudgetBytes: number;
}

const uploadEnvSchema = z.object({
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .pipe(z.int().positive())
    .default(25 * 1024 * 1024),
  MAX_AUDIO_SECONDS: z.coerce.number().pipe(z.number().positive().finite()).default(600),
  MAX_IMAGE_PIXELS: z.coerce.number().pipe(z.int().positive()).default(25_000_000),
  UPLOAD_BUDGET_BYTES: z.coerce.number().pipe(z.int().positive()).optional(),
});

/**
 * Reads the upload limits from the environment (MAX_UPLOAD_BYTES, MAX_AUDIO_SECONDS,
 * MAX_IMAGE_PIXELS, UPLOAD_BUDGET_BYTES). Empty variables count as unset.
 * @throws ModelLoaderError CONFIG_INVALID naming each bad variable
 */
export function parseUploadLimits(env: Readonly<Record<string, string | undefined>>): UploadLimits {
  const given = Object.fromEntries(
    Object.keys(uploadEnvSchema.shape)
      .map((name) => [name, env[name]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = uploadEnvSchema.safeParse(given);
  if (!parsed.success) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid environment variables:\n${parsed.error.issues.map((issue) => `- \`${issue.path.join('.')}\`: ${issue.message}`).join('\n')}\nFix or unset them and start again.`,
    );
  }
  return {
    maxUploadBytes: parsed.data.MAX_UPLOAD_BYTES,
    maxAudioDurationInSeconds: parsed.data.MAX_AUDIO_SECONDS,
    maxImagePixels: parsed.data.MAX_IMAGE_PIXELS,
    uploadBudgetBytes: parsed.data.UPLOAD_BUDGET_BYTES ?? 4 * parsed.data.MAX_UPLOAD_BYTES,
  };
}
