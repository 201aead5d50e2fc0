import { ModelLoaderError } from '@model-loader/core';
import { HttpError } from './http-error.js';
import { httpStatusFor } from './http-status.js';
import { scrubPaths } from './scrub-paths.js';

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** What an error answers with. */
export interface ErrorResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
  /** True when the error is the server's fault (logged at error level). */
  readonly isServerError: boolean;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: unknown;
}

const fastifyStatusCodes: Record<number, string> = {
  400: 'REQUEST_INVALID',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Maps any thrown value to a status and the `{ error: { code, message } }` body. Never includes a
 * stack, an error's `path` field or an absolute path; unknown errors answer a generic message.
 */
export function toErrorResponse(error: unknown, modelDirs: readonly string[]): ErrorResponse {
  if (HttpError.isInstance(error)) {
    return respond(error.statusCode, error.code, error.message, error.headers);
  }
  if (ModelLoaderError.isInstance(error)) {
    const message = scrubPaths(error.message, modelDirs);
    const statusCode = httpStatusFor(error.code);
    return respond(
      statusCode,
      error.code,
      message,
      statusCode === 503 ? { 'retry-after': '1' } : {},
    );
  }
  const fastifyError = (
    typeof error === 'object' && error !== null ? error : {}
  ) as FastifyLikeError;
  const status = fastifyError.statusCode;
  if (fastifyError.validation !== undefined) {
    return respond(
      400,
      'REQUEST_INVALID',
      scrubPaths(fastifyError.message ?? 'Invalid request', modelDirs),
    );
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = fastifyStatusCodes[status] ?? 'REQUEST_INVALID';
    return respond(status, code, scrubPaths(fastifyError.message ?? 'Invalid request', modelDirs));
  }
  return respond(500, 'INTERNAL_ERROR', 'Internal server error; the server log has the details');
}

function respond(
  statusCode: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): ErrorResponse {
  return {
    statusCode,
    headers,
    body: { error: { code, message } },
    isServerError: statusCode >= 500,
  };
}
