import { type ErrorResponse, toErrorResponse } from '@model-loader/fastify';
import { ApiError } from '../generation/api-error.js';
import { validationFault } from './validation-error.js';

/** An error answer plus the request field at fault (OpenAI's `param`). */
export interface RouteErrorResponse extends ErrorResponse {
  readonly param: string | null;
}

/**
 * Maps a thrown value to the answer: this server's `ApiError`s, then the plugin's table (core
 * codes, HTTP codes, validation), which never shows a stack or an absolute path.
 */
export function toRouteErrorResponse(
  error: unknown,
  modelDirs: readonly string[],
  /** `/inference` keeps the seed's REQUEST_INVALID for unknown fields. @default true */
  codeUnknownFields = true,
): RouteErrorResponse {
  if (ApiError.isInstance(error)) {
    return {
      statusCode: error.statusCode,
      headers: {},
      body: { error: { code: error.code, message: error.message } },
      isServerError: false,
      param: error.param,
    };
  }
  const fault = validationFault(error);
  if (fault) {
    return {
      statusCode: 400,
      headers: {},
      body: {
        error: {
          code: codeUnknownFields ? fault.code : 'REQUEST_INVALID',
          message: fault.message,
        },
      },
      isServerError: false,
      param: fault.param,
    };
  }
  return { ...toErrorResponse(error, modelDirs), param: null };
}

/** OpenAI's error `type` for a status. */
function openAiErrorType(statusCode: number): string {
  if (statusCode === 401) return 'authentication_error';
  if (statusCode === 403) return 'permission_error';
  if (statusCode === 404) return 'not_found_error';
  if (statusCode === 429) return 'rate_limit_error';
  return statusCode >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The error in OpenAI's shape: `{ error: { message, type, param, code } }`. */
export function toOpenAiErrorBody(response: RouteErrorResponse) {
  return {
    error: {
      message: response.body.error.message,
      type: openAiErrorType(response.statusCode),
      param: response.param,
      code: response.body.error.code,
    },
  };
}
