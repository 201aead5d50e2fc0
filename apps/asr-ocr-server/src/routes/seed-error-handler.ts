import { toErrorResponse } from '@model-loader/fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The error part of a seed-shaped answer. */
export interface SeedError {
  readonly code: string;
  readonly message: string;
}

/**
 * Error handler of `/asr` and `/ocr`: every failure answers the seed's shape
 * `{ success: false, text: '', error: { code, message } }`. A model that is not loaded (or still
 * loading) answers 200, as the seed did (`ASRResponse(success=False, error=...)`); any other error
 * keeps its status (400, 413, 415, 503 QUEUE_FULL with Retry-After, 504 ...).
 */
export function createSeedErrorHandler(modelDirs: readonly string[]) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const response = toErrorResponse(error, modelDirs);
    const { code, message } = response.body.error;
    if (response.isServerError && code !== 'MODEL_NOT_AVAILABLE') {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code }, message);
    }
    const seedStatus = code === 'MODEL_NOT_AVAILABLE' ? 200 : response.statusCode;
    const headers = seedStatus === 200 ? {} : response.headers;
    return reply
      .code(seedStatus)
      .headers(headers)
      .send({ success: false, text: '', error: { code, message } satisfies SeedError });
  };
}
