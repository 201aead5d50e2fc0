import { ERROR_CODES, type ErrorCode } from './error-codes.js';

const marker = Symbol.for('@model-loader/core.error');

/** Structured, optional fields an error can carry besides its code. */
export interface ModelLoaderErrorFields {
  /** Name of the model the error concerns. */
  readonly modelName?: string;
  /** Absolute path of the file concerned. Never sent to HTTP clients. */
  readonly path?: string;
  /** What was expected (a digest, a format, a size). */
  readonly expected?: string;
  /** What was found instead. */
  readonly actual?: string;
  /** Overrides the code's default retryability. */
  readonly isRetryable?: boolean;
  /** The errors of every attempt, oldest first, when the load was retried. */
  readonly attemptErrors?: readonly unknown[];
  /** Why a retried load stopped. */
  readonly stopReason?: 'maxAttemptsExceeded' | 'errorNotRetryable' | 'aborted';
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * The one error class of the engine. `code` is stable; `message` is for people and keeps the wording
 * of the original Python module where it had one.
 */
export class ModelLoaderError extends Error {
  /** Brand that `isInstance` checks, shared by every copy of this package. */
  readonly [marker] = true;
  override readonly name = 'ModelLoaderError';
  /** Stable code, see `ERROR_CODES`. */
  readonly code: ErrorCode;
  readonly modelName?: string;
  readonly path?: string;
  readonly expected?: string;
  readonly actual?: string;
  /** Whether trying the same load again may succeed. */
  readonly isRetryable: boolean;
  readonly attemptErrors?: readonly unknown[];
  readonly stopReason?: ModelLoaderErrorFields['stopReason'];

  constructor(code: ErrorCode, message: string, fields: ModelLoaderErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = code;
    this.isRetryable = fields.isRetryable ?? ERROR_CODES[code].retryable;
    if (fields.modelName !== undefined) this.modelName = fields.modelName;
    if (fields.path !== undefined) this.path = fields.path;
    if (fields.expected !== undefined) this.expected = fields.expected;
    if (fields.actual !== undefined) this.actual = fields.actual;
    if (fields.attemptErrors !== undefined) this.attemptErrors = fields.attemptErrors;
    if (fields.stopReason !== undefined) this.stopReason = fields.stopReason;
  }

  /** True for any `ModelLoaderError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is ModelLoaderError {
    return typeof error === 'object' && error !== null && marker in error;
  }

  /** True when `error` is a `ModelLoaderError` with the given code. */
  static hasCode(error: unknown, code: ErrorCode): error is ModelLoaderError {
    return ModelLoaderError.isInstance(error) && error.code === code;
  }

  /** A plain object safe to log or send: code and message, no stack, no absolute path. */
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** `Name: message` of any thrown value, as the seed printed it ("RuntimeError: CUDA out of memory"). */
export function describeError(error: unknown): string {
  if (ModelLoaderError.isInstance(error)) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
