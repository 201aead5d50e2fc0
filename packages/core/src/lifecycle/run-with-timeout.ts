import { ModelLoaderError } from '../errors/model-loader-error.js';

/** Settings of one time-limited attempt. */
export interface TimeoutOptions {
  readonly loadTimeoutInMs?: number;
  /** Outer cancellation (unload, close). */
  readonly signal?: AbortSignal;
  readonly modelName: string;
  /** Called with a result that arrived after the attempt was abandoned, so it can be freed. */
  readonly onLateResult?: (value: unknown) => void;
}

/**
 * Runs `task` with its own AbortSignal, aborted when `loadTimeoutInMs` passes (MODEL_LOAD_TIMEOUT) or the
 * outer signal aborts (MODEL_LOAD_ABORTED). Settles at once then, even if the task ignores its signal;
 * a late result goes to `onLateResult` instead of leaking.
 */
export function runWithTimeout<T>(
  task: (signal: AbortSignal) => Promise<T>,
  options: TimeoutOptions,
): Promise<T> {
  const controller = new AbortController();
  const { modelName } = options;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, value?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
      if (error === undefined) resolve(value as T);
      else {
        controller.abort(error);
        reject(error);
      }
    };
    const onOuterAbort = () =>
      finish(
        new ModelLoaderError('MODEL_LOAD_ABORTED', `Loading model '${modelName}' was aborted`, {
          modelName,
          cause: options.signal?.reason,
        }),
      );
    const timer =
      options.loadTimeoutInMs === undefined
        ? undefined
        : setTimeout(
            () =>
              finish(
                new ModelLoaderError(
                  'MODEL_LOAD_TIMEOUT',
                  `Loading model '${modelName}' timed out after ${options.loadTimeoutInMs} ms`,
                  { modelName },
                ),
              ),
            options.loadTimeoutInMs,
          );
    if (options.signal?.aborted) {
      onOuterAbort();
      return;
    }
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    task(controller.signal).then(
      (value) => {
        if (settled) options.onLateResult?.(value);
        else finish(undefined, value);
      },
      (error: unknown) => finish(error ?? new Error('loader rejected with no reason')),
    );
  });
}
