import { HttpError } from '../errors/http-error.js';
import { createServiceTime, retryAfterSeconds } from './service-time.js';

/** Settings of one model's limiter. */
export interface LimiterSettings {
  /** Calls running at once. */
  readonly concurrency: number;
  /** Calls waiting for a slot; one more is refused with MODEL_BUSY. */
  readonly maxQueue: number;
  /** Calls one client may have waiting; one more of its own is refused with MODEL_BUSY. @default maxQueue */
  readonly maxQueuePerClient?: number;
  /** Smallest `Retry-After` sent with MODEL_BUSY (and the answer before any call ended). */
  readonly retryAfterInSeconds: number;
  /** Largest `Retry-After`. @default 3600 */
  readonly maxRetryAfterInSeconds?: number;
}

interface Waiter {
  readonly grant: () => void;
}

/** Longest a refusal of a client over its share is held before it is sent. */
const MAX_HOLD_IN_MS = 2000;

/** The key of calls that name no client (library use): they share one queue. */
const ANONYMOUS = '';

/**
 * A concurrency limiter with a bounded queue that is fair between clients: each client has its own
 * FIFO queue, a free slot goes to the waiting client with the fewest calls running (round-robin
 * among equals), and one client may hold at most `maxQueuePerClient` places, so a client that
 * floods the queue cannot starve another.
 * It exposes p-limit's counters.
 */
export interface BoundedLimiter {
  readonly concurrency: number;
  readonly maxQueue: number;
  /** Calls holding a slot. */
  readonly activeCount: number;
  /** Calls waiting for a slot. */
  readonly pendingCount: number;
  /** Running mean of the time a call holds its slot, undefined before the first one ended. */
  readonly meanServiceInMs: number | undefined;
  /**
   * Waits for a slot and returns its release function (call it exactly once).
   * @throws HttpError MODEL_BUSY at once when the queue (or the client's share of it) is full, with
   *   `Retry-After` from the expected wait; `signal`'s reason when aborted while waiting
   */
  acquire(signal: AbortSignal, clientKey?: string): Promise<() => void>;
  /** Resolves once no call holds a slot or waits. */
  idle(): Promise<void>;
}

/** Creates a {@link BoundedLimiter}. `label` names the model in the MODEL_BUSY message. */
export function createBoundedLimiter(label: string, settings: LimiterSettings): BoundedLimiter {
  let active = 0;
  let pending = 0;
  // Map order is the round-robin order: a client served goes to the back.
  const queues = new Map<string, Waiter[]>();
  let idleWaiters: (() => void)[] = [];
  const serviceTime = createServiceTime();
  const perClient = Math.min(settings.maxQueuePerClient ?? settings.maxQueue, settings.maxQueue);

  const checkIdle = () => {
    if (active === 0 && pending === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };
  // Running calls by client: a slot goes to the waiting client with the fewest running, so a
  // client that arrives while another holds every slot is served next.
  const running = new Map<string, number>();
  const nextWaiter = (): { key: string; waiter: Waiter } | undefined => {
    let chosen: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const key of queues.keys()) {
      const count = running.get(key) ?? 0;
      if (count < fewest) {
        chosen = key;
        fewest = count;
      }
    }
    if (chosen === undefined) return undefined;
    const list = queues.get(chosen)!;
    const waiter = list.shift()!;
    // Map order is the round-robin order among equals: the client served goes to the back.
    queues.delete(chosen);
    if (list.length > 0) queues.set(chosen, list);
    pending--;
    return { key: chosen, waiter };
  };
  const release = (key: string) => {
    const left = (running.get(key) ?? 1) - 1;
    if (left > 0) running.set(key, left);
    else running.delete(key);
    const next = nextWaiter();
    if (next) {
      running.set(next.key, (running.get(next.key) ?? 0) + 1);
      next.waiter.grant();
    } else {
      active--;
      checkIdle();
    }
  };
  const slot = (key: string) => {
    let released = false;
    const grantedAt = performance.now();
    return () => {
      if (released) return;
      released = true;
      serviceTime.observe(performance.now() - grantedAt);
      release(key);
    };
  };
  const refuse = (reason: string, hold = false) => {
    const seconds = retryAfterSeconds({
      meanServiceInMs: serviceTime.meanInMs,
      position: pending + 1,
      concurrency: settings.concurrency,
      minimumInSeconds: settings.retryAfterInSeconds,
      maximumInSeconds: settings.maxRetryAfterInSeconds ?? 3600,
    });
    return new HttpError(
      'MODEL_BUSY',
      `Model '${label}' is busy: ${reason}; try again in ${seconds} s`,
      {
        headers: { 'retry-after': String(seconds) },
        // The client over its share is the one flooding: its answer waits, paced like Retry-After.
        ...(hold ? { holdInMs: Math.min(seconds * 1000, MAX_HOLD_IN_MS) } : {}),
      },
    );
  };

  return {
    concurrency: settings.concurrency,
    maxQueue: settings.maxQueue,
    get activeCount() {
      return active;
    },
    get pendingCount() {
      return pending;
    },
    get meanServiceInMs() {
      return serviceTime.meanInMs;
    },
    acquire(signal, clientKey = ANONYMOUS) {
      signal.throwIfAborted();
      if (active < settings.concurrency) {
        active++;
        running.set(clientKey, (running.get(clientKey) ?? 0) + 1);
        return Promise.resolve(slot(clientKey));
      }
      if (pending >= settings.maxQueue) {
        return Promise.reject(
          refuse(`${settings.concurrency} running and ${settings.maxQueue} waiting`),
        );
      }
      const own = queues.get(clientKey);
      if (clientKey !== ANONYMOUS && (own?.length ?? 0) >= perClient) {
        return Promise.reject(
          refuse(
            `this client already has ${perClient} requests waiting (its share of the queue)`,
            true,
          ),
        );
      }
      return new Promise((resolve, reject) => {
        const onAbort = () => {
          const list = queues.get(clientKey);
          const index = list ? list.indexOf(waiter) : -1;
          if (list && index >= 0) {
            list.splice(index, 1);
            pending--;
            if (list.length === 0) queues.delete(clientKey);
          }
          checkIdle();
          reject(signal.reason);
        };
        // A granted slot passes straight from the releasing call to this one: `active` is unchanged.
        const waiter: Waiter = {
          grant: () => {
            signal.removeEventListener('abort', onAbort);
            resolve(slot(clientKey));
          },
        };
        const list = queues.get(clientKey);
        if (list) list.push(waiter);
        else queues.set(clientKey, [waiter]);
        pending++;
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    idle() {
      if (active === 0 && pending === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
