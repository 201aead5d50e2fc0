import type { SendErrorOptions } from '@model-loader/fastify';

/** The error part of a seed-shaped answer. */
export interface SeedError {
  readonly code: string;
  readonly message: string;
}

/**
 * How `/asr` and `/ocr` answer errors: the seed's shape `{ success: false, text: '', error: { code,
 * message } }`. A model that is not loaded (or still loading) answers 200, as the seed did
 * (`ASRResponse(success=False, error=...)`); any other error keeps its status (400, 413, 415,
 * 503 MODEL_BUSY with Retry-After, 504 ...).
 */
export const seedErrors: SendErrorOptions = {
  statusCode: (response) =>
    response.body.error.code === 'MODEL_NOT_AVAILABLE' ? 200 : response.statusCode,
  render: (response) => ({
    success: false,
    text: '',
    error: {
      code: response.body.error.code,
      message: response.body.error.message,
    } satisfies SeedError,
  }),
};
