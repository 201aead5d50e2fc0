import { HttpError, toErrorResponse } from '@model-loader/fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

const marker = Symbol.for('@model-loader/asr-ocr-server.field-error');

/** A 400 about one request field: OpenAI's `param` names it. */
export class FieldError extends HttpError {
  readonly [marker] = true;

  constructor(
    code: 'REQUEST_INVALID',
    message: string,
    /** The field at fault. */
    readonly param: string,
  ) {
    super(code, message);
  }

  /** True for any `FieldError`, even from another copy of this package. */
  static isFieldError(error: unknown): error is FieldError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** A field this route knows from OpenAI's API but cannot honour (400 REQUEST_UNSUPPORTED). */
export class UnsupportedFieldError extends Error {
  readonly code = 'REQUEST_UNSUPPORTED';
  readonly statusCode = 400;

  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

/** OpenAI's error `type` for a status (the same table as the LLM server's). */
function openAiErrorType(statusCode: number): string {
  if (statusCode === 401) return 'authentication_error';
  if (statusCode === 403) return 'permission_error';
  if (statusCode === 404) return 'not_found_error';
  if (statusCode === 429) return 'rate_limit_error';
  return statusCode >= 500 ? 'server_error' : 'invalid_request_error';
}

/**
 * Error handler of the `/v1/audio` routes: OpenAI's shape `{ error: { message, type, param, code } }`
 * with the plugin's status, code and headers (Retry-After), as the LLM server answers.
 */
export function createOpenAiErrorHandler(modelDirs: readonly string[]) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof UnsupportedFieldError) {
      request.log.info({ code: error.code }, error.message);
      return reply.code(400).send({
        error: {
          message: error.message,
          type: 'invalid_request_error',
          param: error.param,
          code: error.code,
        },
      });
    }
    const response = toErrorResponse(error, modelDirs);
    const { code, message } = response.body.error;
    if (response.statusCode === 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code }, message);
    return reply
      .code(response.statusCode)
      .headers(response.headers)
      .send({
        error: {
          message,
          type: openAiErrorType(response.statusCode),
          param: FieldError.isFieldError(error) ? error.param : null,
          code,
        },
      });
  };
}
