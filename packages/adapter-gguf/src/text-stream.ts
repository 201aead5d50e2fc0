/** Text chunks as they are generated; `result` settles when the generation ends. */
export interface TextStream<TResult> extends AsyncIterable<string> {
  /** The full result; rejects like the iteration when the generation fails or is aborted. */
  readonly result: Promise<TResult>;
}

/**
 * Turns a callback-style generation into an async iterator of chunks. Breaking out of the loop
 * aborts the generation through the signal given to `run`.
 */
export function createTextStream<TResult>(
  run: (onChunk: (chunk: string) => void, signal: AbortSignal) => Promise<TResult>,
  outerSignal?: AbortSignal,
): TextStream<TResult> {
  const controller = new AbortController();
  const signal = outerSignal
    ? AbortSignal.any([outerSignal, controller.signal])
    : controller.signal;
  const chunks: string[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const result = run((chunk) => {
    chunks.push(chunk);
    notify();
  }, signal).then(
    (value) => {
      done = true;
      notify();
      return value;
    },
    (error: unknown) => {
      done = true;
      failure = { error };
      notify();
      throw error;
    },
  );
  // The iteration reports the failure; an unobserved `result` must not crash the process.
  result.catch(() => {});
  return {
    result,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          const chunk = chunks.shift();
          if (chunk !== undefined) {
            yield chunk;
            continue;
          }
          if (failure) throw failure.error;
          if (done) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        if (!done) controller.abort(new DOMException('The stream was closed', 'AbortError'));
      }
    },
  };
}
