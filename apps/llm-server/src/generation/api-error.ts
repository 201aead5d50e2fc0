const marker = Symbol.for('@model-loader/llm-server.api-error');

/** Codes this server adds to the core's and the plugin's error codes. */
export const API_ERROR_CODES = {
  /** A field has a value the route cannot take (the plugin's code, here with `param`). */
  REQUEST_INVALID: 400,
  /** The prompt (plus the tokens asked for) does not fit in the model's context. */
  CONTEXT_LENGTH_EXCEEDED: 400,
  /** The request asks for something this server does not do (for example `n` above 1); `param` names the field. */
  REQUEST_UNSUPPORTED: 400,
  /** The body has a field OpenAI's API does not define for this route; `param` names it. */
  REQUEST_FIELD_UNKNOWN: 400,
  /** A JSON schema (`response_format` or a tool's `parameters`) uses a keyword the grammar cannot enforce. */
  JSON_SCHEMA_UNSUPPORTED: 400,
} as const;

/** A code of {@link API_ERROR_CODES}. */
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

/** An error of the LLM routes, answered with its code and status (400). */
export class ApiError extends Error {
  readonly [marker] = true;
  override readonly name = 'ApiError';
  readonly statusCode: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** The request field at fault, shown as OpenAI's `param`. */
    readonly param: string | null = null,
  ) {
    super(message);
    this.statusCode = API_ERROR_CODES[code];
  }

  /** True for any `ApiError`, even from another copy of this package. */
  static isInstance(error: unknown): error is ApiError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
