import { ModelLoaderError } from '@model-loader/core';
import { HttpError, type HttpErrorCode } from './http-error.js';
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
  /** True when the error is the server's fault (status 5xx). */
  readonly isServerError: boolean;
  /** The request field at fault, when an app's own error names one (OpenAI's `param`). */
  readonly param?: string | null;
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: unknown;
}

/** Codes for the statuses Fastify and its plugins raise errors with. */
const fastifyStatusCodes: Record<number, HttpErrorCode> = {
  400: 'REQUEST_INVALID',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  408: 'REQUEST_TOO_SLOW',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
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
    const code = fastifyStatusCodes[status];
    // A 4xx without a code of its own is reported as 400, so status and code always agree.
    return respond(
      code ? status : 400,
      code ?? 'REQUEST_INVALID',
      scrubPaths(fastifyError.message ?? 'Invalid request', modelDirs),
    );
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
