/** Chunks as a producer pushes them, readable with `for await`; `result` settles when it ends. */
export interface ChunkStream<TChunk, TResult> extends AsyncIterable<TChunk> {
  /** The producer's final value; rejects like the iteration when the producer fails or is aborted. */
  readonly result: Promise<TResult>;
}

/** A running producer: its final value, and how to stop it when the reader stops early. */
export interface ChunkProducer<TResult> {
  readonly result: Promise<TResult>;
  /** Called once when the reader leaves the loop before the producer finished. */
  readonly cancel: () => void;
}

/**
 * Turns a push-style producer (a callback per chunk) into an async iterable of its chunks, without
 * dropping any and without buffering past what the reader has not taken yet. Breaking out of the
 * loop calls the producer's `cancel`. Used for generations in process and for streams proxied from
 * a model process alike.
 */
export function createChunkStream<TChunk, TResult>(
  start: (onChunk: (chunk: TChunk) => void) => ChunkProducer<TResult>,
): ChunkStream<TChunk, TResult> {
  const chunks: TChunk[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const producer = start((chunk) => {
    chunks.push(chunk);
    notify();
  });
  const result = producer.result.then(
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
          if (chunks.length > 0) {
            yield chunks.shift() as TChunk;
            continue;
          }
          if (failure) throw failure.error;
          if (done) return;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      } finally {
        if (!done) producer.cancel();
      }
    },
  };
}
