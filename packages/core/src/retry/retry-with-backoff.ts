import { describeError, ModelLoaderError } from '../errors/model-loader-error.js';
import { backoffDelayInMs, type ResolvedBackoff } from './backoff-options.js';
import { sleep } from './sleep.js';

/** Settings of one retried operation. */
export interface RetryOptions {
  /** Attempts in all, at least 1. */
  readonly attempts: number;
  readonly backoff: ResolvedBackoff;
  /** Stops waiting and retrying; never retried itself. */
  readonly signal?: AbortSignal;
  /** Whether an error may succeed on another attempt. */
  readonly shouldRetry: (error: unknown) => boolean;
  /** Called after a failed attempt that will be retried. */
  readonly onAttemptFailed?: (info: {
    attempt: number;
    error: unknown;
    nextDelayInMs: number;
  }) => void;
  readonly random?: () => number;
}

/**
 * Runs `operation` until it succeeds, an error is not retryable, attempts run out or the signal aborts.
 * With more than one attempt, the final error keeps every attempt's error (`attemptErrors`) and why it
 * stopped (`stopReason`).
 */
export async function retryWithBackoff<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const errors: unknown[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      errors.push(error);
      const aborted = options.signal?.aborted === true;
      const retryable = !aborted && options.shouldRetry(error);
      if (!retryable || attempt >= options.attempts) {
        const stopReason = aborted
          ? 'aborted'
          : retryable
            ? 'maxAttemptsExceeded'
            : 'errorNotRetryable';
        throw finalError(error, errors, stopReason, options.attempts);
      }
      const nextDelayInMs = backoffDelayInMs(attempt, options.backoff, options.random);
      options.onAttemptFailed?.({ attempt, error, nextDelayInMs });
      try {
        await sleep(nextDelayInMs, options.signal);
      } catch (abortError) {
        errors.push(abortError);
        throw finalError(abortError, errors, 'aborted', options.attempts);
      }
    }
  }
}

function finalError(
  last: unknown,
  errors: readonly unknown[],
  stopReason: NonNullable<ModelLoaderError['stopReason']>,
  maxAttempts: number,
): unknown {
  if (maxAttempts <= 1) return last;
  const attemptsMade = errors.filter((error) => error !== undefined).length;
  const code = ModelLoaderError.isInstance(last) ? last.code : 'MODEL_LOAD_FAILED';
  const message = ModelLoaderError.isInstance(last) ? last.message : describeError(last);
  const why = {
    maxAttemptsExceeded: `gave up after ${attemptsMade} attempts`,
    errorNotRetryable: `not retried after attempt ${attemptsMade}: the error is not transient`,
    aborted: `aborted after ${attemptsMade} attempt${attemptsMade === 1 ? '' : 's'}`,
  }[stopReason];
  return new ModelLoaderError(code, `${message} (${why})`, {
    cause: last,
    attemptErrors: errors,
    stopReason,
    isRetryable: false,
    ...(ModelLoaderError.isInstance(last)
      ? {
          ...(last.path === undefined ? {} : { path: last.path }),
          ...(last.modelName === undefined ? {} : { modelName: last.modelName }),
          ...(last.expected === undefined ? {} : { expected: last.expected }),
          ...(last.actual === undefined ? {} : { actual: last.actual }),
        }
      : {}),
  });
}
