import type { ErrorResponse, SendErrorOptions } from '@model-loader/fastify';
import { toOpenAiErrorBody } from '@model-loader/fastify';
import { ApiError } from '../generation/api-error.js';
import { validationFault } from './validation-error.js';

/**
 * This server's own errors for `sendError`'s `classify`: `ApiError`s and validation faults with
 * the field at fault; anything else goes to the plugin's table (core codes, HTTP codes).
 */
export function classifyRouteError(
  /** `/inference` keeps the seed's REQUEST_INVALID for unknown fields. @default true */
  codeUnknownFields = true,
) {
  return (error: unknown): ErrorResponse | undefined => {
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
    if (!fault) return undefined;
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
  };
}

/** How the `/v1` routes answer errors: OpenAI's shape `{ error: { message, type, param, code } }`. */
export const openAiErrors: SendErrorOptions = {
  classify: classifyRouteError(true),
  render: toOpenAiErrorBody,
};

/** How `/inference` answers errors: the plugin's `{ error: { code, message } }`. */
export const inferenceErrors: SendErrorOptions = { classify: classifyRouteError(false) };
