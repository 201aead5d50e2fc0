import { HttpError, type SendErrorOptions, toOpenAiErrorBody } from '@model-loader/fastify';

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

/**
 * How the `/v1/audio` routes answer errors: OpenAI's shape `{ error: { message, type, param, code } }`
 * with the plugin's status, code and headers (Retry-After), as the LLM server answers.
 */
export const openAiErrors: SendErrorOptions = {
  classify(error) {
    if (!(error instanceof UnsupportedFieldError) && !FieldError.isFieldError(error))
      return undefined;
    return {
      statusCode: 400,
      headers: {},
      body: { error: { code: error.code, message: error.message } },
      isServerError: false,
      param: error.param,
    };
  },
  render: toOpenAiErrorBody,
};
