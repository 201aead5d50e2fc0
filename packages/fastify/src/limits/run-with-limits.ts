import type { KeepAliveInput, ModelRegistry } from '@model-loader/core';
import { HttpError } from '../errors/http-error.js';
import type { BoundedLimiter } from './bounded-limiter.js';

/** Options of one `app.models.run` call. */
export interface RunOptions {
  /** Aborts the work, for example `disconnectSignal(reply)` for a client that hangs up. */
  readonly signal?: AbortSignal;
  /** Time limit of this call, queue wait included; overrides the model's `timeoutInMs`. */
  readonly timeoutInMs?: number;
  /**
   * The client the call is for, for the fair queue. @default the client of the request being
   * handled (the plugin tracks it), or one shared queue outside a request
   */
  readonly clientKey?: string;
  /**
   * Keep-alive of the model from the end of this call (a request's `keep_alive`), replacing the
   * model's: milliseconds or a duration such as `'5m'`; `0` unloads right after, `-1` never.
   */
  readonly keepAlive?: KeepAliveInput;
}

/** The work given to `run`: the leased model and a signal aborted on timeout or disconnect. */
export type RunFunction<TModel, TResult> = (
  model: TModel,
  signal: AbortSignal,
) => Promise<TResult> | TResult;

interface RunTarget {
  readonly loader: ModelRegistry;
  readonly limiter: BoundedLimiter;
  readonly name: string;
  readonly timeoutInMs: number;
  readonly clientKey?: string;
}

/**
 * Runs `fn` with model `name` under the model's limiter and a lease. Answers at once when the
 * timeout passes or `signal` aborts (with REQUEST_TIMEOUT or REQUEST_ABORTED) and aborts the signal
 * `fn` received; the slot stays taken until `fn` really settles, so the limit holds.
 */
export async function runWithLimits<TModel, TResult>(
  target: RunTarget,
  fn: RunFunction<TModel, TResult>,
  options: RunOptions = {},
): Promise<TResult> {
  const { loader, limiter, name } = target;
  // Fail fast, before queueing: MODEL_NOT_REGISTERED or MODEL_NOT_AVAILABLE (an idle model loads).
  loader.assertServable(name);
  const timeoutInMs = options.timeoutInMs ?? target.timeoutInMs;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(
      new HttpError(
        'REQUEST_TIMEOUT',
        `Model '${name}' did not answer within ${timeoutInMs} ms; the work was aborted`,
      ),
    );
  }, timeoutInMs);
  timer.unref();
  const external = options.signal;
  const onExternalAbort = () => {
    const reason = external?.reason;
    controller.abort(
      HttpError.isInstance(reason)
        ? reason
        : new HttpError('REQUEST_ABORTED', 'The request was aborted before the model answered', {
            cause: reason,
          }),
    );
  };
  if (external?.aborted) onExternalAbort();
  else external?.addEventListener('abort', onExternalAbort, { once: true });
  try {
    const release = await limiter.acquire(controller.signal, target.clientKey);
    const work = (async () => {
      try {
        controller.signal.throwIfAborted();
        return await loader.use(
          name,
          (model) => fn(model as TModel, controller.signal),
          options.keepAlive === undefined ? {} : { keepAlive: options.keepAlive },
        );
      } finally {
        release();
      }
    })();
    return await untilAborted(work, controller.signal);
  } finally {
    clearTimeout(timer);
    external?.removeEventListener('abort', onExternalAbort);
  }
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // The work may still reject after the abort answered; that late rejection is expected.
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
