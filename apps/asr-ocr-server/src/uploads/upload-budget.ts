import { HttpError } from '@model-loader/fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Weight of the newest sample in the running mean of how long an upload holds its bytes. */
const SMOOTHING = 0.2;

/** The server-wide budget of upload bytes in flight. */
export interface UploadBudget {
  readonly budgetInBytes: number;
  /** Bytes reserved by requests being read or processed now. */
  readonly inUseInBytes: number;
  /** The most bytes ever reserved at once (for tests and metrics). */
  readonly peakInBytes: number;
  /**
   * onRequest hook: reserves the request's declared size (Content-Length, or the upload limit for
   * a chunked body) until its answer is sent; refuses with 503 UPLOAD_BUDGET_EXCEEDED and
   * `Retry-After` before a byte of the body is read when the budget cannot hold it.
   */
  reserve(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/**
 * Creates an {@link UploadBudget}. Every upload is buffered (the models need the whole file), so
 * without one, N concurrent uploads cost N times the upload limit in memory whatever the model
 * queue says; with one, at most `budgetInBytes` are held.
 */
export function createUploadBudget(budgetInBytes: number, maxUploadBytes: number): UploadBudget {
  let inUse = 0;
  let peak = 0;
  let meanHoldInMs: number | undefined;
  return {
    budgetInBytes,
    get inUseInBytes() {
      return inUse;
    },
    get peakInBytes() {
      return peak;
    },
    async reserve(request, reply) {
      const declared = Number(request.headers['content-length']);
      // A body over the upload limit is refused by the parser with 413; reserve at most the limit.
      const bytes = Math.min(
        Number.isFinite(declared) && declared >= 0 ? declared : maxUploadBytes,
        maxUploadBytes,
      );
      if (inUse + bytes > budgetInBytes && inUse > 0) {
        const seconds = Math.max(1, Math.ceil((meanHoldInMs ?? 1000) / 1000));
        throw new HttpError(
          'UPLOAD_BUDGET_EXCEEDED',
          `The server is already receiving or processing ${inUse} bytes of uploads (budget ${budgetInBytes}); try again in ${seconds} s`,
          // The body is not read: closing the connection drops it.
          { headers: { 'retry-after': String(seconds), connection: 'close' } },
        );
      }
      inUse += bytes;
      peak = Math.max(peak, inUse);
      const started = performance.now();
      reply.raw.once('close', () => {
        inUse -= bytes;
        const held = performance.now() - started;
        meanHoldInMs =
          meanHoldInMs === undefined ? held : meanHoldInMs + SMOOTHING * (held - meanHoldInMs);
      });
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The ASR/OCR server's upload byte budget. */
    uploadBudget: UploadBudget;
  }
}
