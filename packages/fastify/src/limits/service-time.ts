/** Weight of the newest sample in the running mean: about the last 10 calls count. */
const SMOOTHING = 0.2;

/** A running (exponentially weighted) mean of how long calls hold a slot. */
export interface ServiceTime {
  /** Mean in milliseconds, or undefined before the first call ended. */
  readonly meanInMs: number | undefined;
  observe(durationInMs: number): void;
}

/** Creates a {@link ServiceTime}. */
export function createServiceTime(): ServiceTime {
  let mean: number | undefined;
  return {
    get meanInMs() {
      return mean;
    },
    observe(durationInMs) {
      mean = mean === undefined ? durationInMs : mean + SMOOTHING * (durationInMs - mean);
    },
  };
}

/** What {@link retryAfterSeconds} computes from. */
export interface ExpectedWaitInput {
  /** Mean service time, undefined before any call ended. */
  readonly meanServiceInMs: number | undefined;
  /** Place the refused call would have had in the queue (1 = next). */
  readonly position: number;
  readonly concurrency: number;
  /** Smallest answer, also used before the first call ended. */
  readonly minimumInSeconds: number;
  /** Largest answer (a call waiting longer would time out anyway). */
  readonly maximumInSeconds: number;
}

/**
 * `Retry-After` seconds from the queue's expected wait: mean service time x position /
 * concurrency, rounded up and kept within the bounds.
 */
export function retryAfterSeconds(input: ExpectedWaitInput): number {
  const { meanServiceInMs, position, concurrency, minimumInSeconds, maximumInSeconds } = input;
  const upper = Math.max(minimumInSeconds, maximumInSeconds);
  if (meanServiceInMs === undefined || !Number.isFinite(meanServiceInMs)) return minimumInSeconds;
  const waitInSeconds = (meanServiceInMs * position) / concurrency / 1000;
  return Math.min(upper, Math.max(minimumInSeconds, Math.ceil(waitInSeconds)));
}
