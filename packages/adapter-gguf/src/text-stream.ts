import { type ChunkStream, createChunkStream } from '@model-loader/core';

/** Text chunks as they are generated; `result` settles when the generation ends. */
export type TextStream<TResult> = ChunkStream<string, TResult>;

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
  return createChunkStream<string, TResult>((onChunk) => ({
    result: run(onChunk, signal),
    cancel: () => controller.abort(new DOMException('The stream was closed', 'AbortError')),
  }));
}
