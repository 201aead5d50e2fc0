import { z } from 'zod';

/** Limits of `app.models.run` (the fastify plugin) for one model, as a models file's `limits`. */
export const modelLimitsSchema = z.strictObject({
  /** Calls running with the model at once. @default 1 */
  concurrency: z.int().min(1).optional(),
  /** Calls waiting for a slot; more are refused with 503 MODEL_BUSY and `Retry-After`. @default 16 */
  maxQueue: z.int().min(0).optional(),
  /** Time limit of one call, queue wait included; the work's signal aborts then. @default 60000 */
  timeoutInMs: z.number().positive().finite().optional(),
  /**
   * Calls one client may have waiting, so one client cannot fill the queue; slots go round-robin
   * between clients. @default half of `maxQueue`, rounded up
   */
  maxQueuePerClient: z.int().min(1).optional(),
  /**
   * Smallest `Retry-After` sent with MODEL_BUSY. The value sent is the queue's expected wait (mean
   * service time x queue position / concurrency), at least this and at most the timeout. @default 1
   */
  retryAfterInSeconds: z.int().min(1).optional(),
});

/** Limits of `app.models.run` for one model. */
export type ModelLimits = Readonly<z.input<typeof modelLimitsSchema>>;
