import type { ErrorCode } from '@model-loader/core';

const marker = Symbol.for('@model-loader/fastify.http-error');

/**
 * Codes the HTTP layer adds to the core's error codes, with their status. Stable like the core's:
 * a released code is never renamed or reused.
 */
export const HTTP_ERROR_CODES = {
  /** The request (path parameter, query, body) failed validation. */
  REQUEST_INVALID: 400,
  /** An admin route was called without a bearer token. */
  UNAUTHORIZED: 401,
  /** An admin route was called with a wrong token. */
  FORBIDDEN: 403,
  /** No route matches the method and URL. */
  NOT_FOUND: 404,
  /** The request body is larger than the server's body limit. */
  PAYLOAD_TOO_LARGE: 413,
  /** The client took longer than the server's request timeout to send its request line and headers. */
  REQUEST_TOO_SLOW: 408,
  /** The model exists but not in the version asked for (KServe v2 / Triton routes). */
  MODEL_VERSION_NOT_FOUND: 404,
  /** The request URL is longer than the server accepts. */
  URI_TOO_LONG: 414,
  /** The request body has a content type the route does not accept. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The client sent more requests than its rate limit allows; try again after `Retry-After` seconds. */
  RATE_LIMITED: 429,
  /** The request headers (or the request line) are larger than the server accepts. */
  HEADERS_TOO_LARGE: 431,
  /** The client closed the connection before the answer (logged; the client never sees it). */
  REQUEST_ABORTED: 499,
  /** An unexpected error; details are only in the server log. */
  INTERNAL_ERROR: 500,
  /** The server is shutting down and takes no new work. */
  SHUTTING_DOWN: 503,
  /** Uploads in progress already hold the server's upload byte budget; try again after `Retry-After` seconds. */
  UPLOAD_BUDGET_EXCEEDED: 503,
  /** The work took longer than the request timeout and was aborted. */
  REQUEST_TIMEOUT: 504,
} as const;

/** A code of the HTTP layer. */
export type HttpErrorCode = keyof typeof HTTP_ERROR_CODES;

/**
 * Core codes the HTTP layer raises itself, with their status; the core's table documents them.
 * `MODEL_BUSY` is the one "queue full" code of the server's queue and of an adapter's own, so a
 * client retries both the same way (`QUEUE_FULL` is retired and never reused).
 */
export const CORE_CODES_RAISED_BY_HTTP = {
  MODEL_BUSY: 503,
} as const satisfies Partial<Record<ErrorCode, number>>;

/** A code an {@link HttpError} can carry. */
export type HttpErrorCarriedCode = HttpErrorCode | keyof typeof CORE_CODES_RAISED_BY_HTTP;

const statusByCarriedCode: Readonly<Record<HttpErrorCarriedCode, number>> = {
  ...HTTP_ERROR_CODES,
  ...CORE_CODES_RAISED_BY_HTTP,
};

/** An error that answers with a given code, status and headers. */
export class HttpError extends Error {
  readonly [marker] = true;
  override readonly name = 'HttpError';
  readonly code: HttpErrorCarriedCode;
  readonly statusCode: number;
  /** Extra response headers, for example `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Time the plugin holds this answer before sending it: a tarpit for a client that already
   * exceeded its share, so one that ignores `Retry-After` cannot turn its connections into a busy
   * loop that starves everyone else of CPU. 0 sends at once.
   */
  readonly holdInMs: number;

  constructor(
    code: HttpErrorCarriedCode,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown; holdInMs?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = statusByCarriedCode[code];
    this.headers = options.headers ?? {};
    this.holdInMs = options.holdInMs ?? 0;
  }

  /** True for any `HttpError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is HttpError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
