import { HttpError } from '../errors/http-error.js';

/** Settings of one model's limiter. */
export interface LimiterSettings {
  /** Calls running at once. */
  readonly concurrency: number;
  /** Calls waiting for a slot; one more is refused with QUEUE_FULL. */
  readonly maxQueue: number;
  /** `Retry-After` seconds sent with QUEUE_FULL. */
  readonly retryAfterInSeconds: number;
}

interface Waiter {
  readonly grant: () => void;
}

/** A concurrency limiter with a bounded FIFO queue (p-limit's counters, plus a queue bound). */
export interface BoundedLimiter {
  readonly concurrency: number;
  readonly maxQueue: number;
  /** Calls holding a slot. */
  readonly activeCount: number;
  /** Calls waiting for a slot. */
  readonly pendingCount: number;
  /**
   * Waits for a slot and returns its release function (call it exactly once).
   * @throws HttpError QUEUE_FULL at once when the queue is full; `signal`'s reason when aborted while waiting
   */
  acquire(signal: AbortSignal): Promise<() => void>;
  /** Resolves once no call holds a slot or waits. */
  idle(): Promise<void>;
}

/** Creates a {@link BoundedLimiter}. `label` names the model in the QUEUE_FULL message. */
export function createBoundedLimiter(label: string, settings: LimiterSettings): BoundedLimiter {
  let active = 0;
  const queue: Waiter[] = [];
  let idleWaiters: (() => void)[] = [];

  const checkIdle = () => {
    if (active === 0 && queue.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };
  const release = () => {
    const next = queue.shift();
    if (next) next.grant();
    else {
      active--;
      checkIdle();
    }
  };
  const once = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  };

  return {
    concurrency: settings.concurrency,
    maxQueue: settings.maxQueue,
    get activeCount() {
      return active;
    },
    get pendingCount() {
      return queue.length;
    },
    acquire(signal) {
      signal.throwIfAborted();
      if (active < settings.concurrency) {
        active++;
        return Promise.resolve(once());
      }
      if (queue.length >= settings.maxQueue) {
        return Promise.reject(
          new HttpError(
            'QUEUE_FULL',
            `Model '${label}' is busy: ${settings.concurrency} running and ${settings.maxQueue} waiting; try again later`,
            { headers: { 'retry-after': String(settings.retryAfterInSeconds) } },
          ),
        );
      }
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          checkIdle();
          reject(signal.reason);
        };
        // A granted slot passes straight from the releasing call to this one: `active` is unchanged.
        const waiter: Waiter = {
          grant: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(once());
          },
        };
        queue.push(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    idle() {
      if (active === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
