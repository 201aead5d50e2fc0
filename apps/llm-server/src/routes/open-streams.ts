import type { HttpErrorCode } from '@model-loader/fastify';

/** A server-sent event stream that can be ended from outside (at shutdown). */
export interface ClosableStream {
  /** Sends a last error event with `code` and `[DONE]`, ends the response and stops the work. */
  close(code: HttpErrorCode, message: string): void;
}

/**
 * The event streams being served. When the shutdown's grace period ends, {@link closeAll} gives each
 * one an error event (`SHUTTING_DOWN`) and `[DONE]` instead of a reset connection.
 */
export class OpenStreams {
  private readonly streams = new Set<ClosableStream>();

  /** Streams open now. */
  get size(): number {
    return this.streams.size;
  }

  /** Tracks a stream until the returned function is called. */
  add(stream: ClosableStream): () => void {
    this.streams.add(stream);
    return () => {
      this.streams.delete(stream);
    };
  }

  /** Ends every open stream with a `SHUTTING_DOWN` error event; returns how many there were. */
  closeAll(): number {
    const streams = [...this.streams];
    this.streams.clear();
    for (const stream of streams) {
      stream.close(
        'SHUTTING_DOWN',
        'The server is shutting down and its grace period ended before this stream finished.',
      );
    }
    return streams.length;
  }
}
