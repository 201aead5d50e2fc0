import { backoffDelayInMs, type ResolvedBackoff } from '../retry/backoff-options.js';

/** How often a model whose process died is started again. */
export interface RestartPolicy {
  /** Restarts allowed within `restartWindowInMs`; past it the model stays failed until a reload. @default 3 */
  readonly maxRestarts?: number;
  /** Sliding window the restarts are counted in. @default 600000 (10 minutes) */
  readonly restartWindowInMs?: number;
}

/**
 * Restarts of one model in a sliding window. Each restart waits by the engine's backoff schedule,
 * indexed by the restarts already made in the window (0.5 s, 1 s, 2 s ... by default).
 */
export class RestartBudget {
  private readonly startedAt: number[] = [];
  /** Restarts since the model was registered or last reloaded by hand. */
  total = 0;
  private readonly maxRestarts: number;
  private readonly windowInMs: number;

  constructor(
    policy: RestartPolicy,
    private readonly backoff: ResolvedBackoff,
    private readonly now: () => number = Date.now,
  ) {
    this.maxRestarts = policy.maxRestarts ?? 3;
    this.windowInMs = policy.restartWindowInMs ?? 600_000;
  }

  /** Delay before the next restart, or undefined when the budget of the window is spent. */
  next(): number | undefined {
    const now = this.now();
    while (this.startedAt.length > 0 && now - this.startedAt[0]! > this.windowInMs) {
      this.startedAt.shift();
    }
    if (this.startedAt.length >= this.maxRestarts) return undefined;
    this.startedAt.push(now);
    this.total++;
    return backoffDelayInMs(this.startedAt.length, this.backoff);
  }

  /** Restarts counted in the current window. */
  get inWindow(): number {
    const now = this.now();
    return this.startedAt.filter((at) => now - at <= this.windowInMs).length;
  }

  /** Forgets the window (after a reload by hand). */
  reset(): void {
    this.startedAt.length = 0;
  }
}
