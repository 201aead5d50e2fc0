import type { ErrorResponse } from './error-response.js';

/** OpenAI's error `type` for a status. */
function openAiErrorType(statusCode: number): string {
  if (statusCode === 401) return 'authentication_error';
  if (statusCode === 403) return 'permission_error';
  if (statusCode === 404) return 'not_found_error';
  if (statusCode === 429) return 'rate_limit_error';
  return statusCode >= 500 ? 'server_error' : 'invalid_request_error';
}

/** An error in OpenAI's shape, as the OpenAI-compatible routes of both servers answer. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/**
 * Renders a response in OpenAI's shape `{ error: { message, type, param, code } }` (for
 * `sendError`'s `render`): the code and message of the table, `type` from the status.
 */
export function toOpenAiErrorBody(response: ErrorResponse): OpenAiErrorBody {
  return {
    error: {
      message: response.body.error.message,
      type: openAiErrorType(response.statusCode),
      param: response.param ?? null,
      code: response.body.error.code,
    },
  };
}
