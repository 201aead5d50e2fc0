import type { MemoryReservation } from '../scheduler/memory-budget.js';

/**
 * One loaded copy of a model: the adapter's model, the memory it holds and the calls using it.
 * A hot swap keeps two copies of one model for a while; each one drains and disposes on its own.
 */
export class LoadedCopy {
  readonly loadedAt = new Date();
  /** When the last lease started or ended (`performance.now()` clock), for least-recently-used eviction. */
  lastUsedAt = performance.now();
  /** Wall-clock time (ms since epoch) at which keep-alive unloads this copy; unset: never. */
  expiresAt?: number;
  /** Called when the last lease ends, with the keep-alive of the call that ended it, if it gave one. */
  onIdle?: (keepAliveInMs: number | undefined) => void;
  private leases = 0;
  private drained?: () => void;
  private expiryTimer?: NodeJS.Timeout;

  constructor(
    readonly model: unknown,
    readonly reservation: MemoryReservation,
    readonly loadTimeInMs: number,
  ) {}

  /** Calls running with this copy through `lease`. */
  get leaseCount(): number {
    return this.leases;
  }

  /**
   * Runs `fn` with the model; a retirement waits for it to finish before disposing. A lease stops
   * the keep-alive clock; the last lease to end restarts it (`keepAliveInMs` overrides the model's).
   */
  async lease<TResult>(
    fn: (model: unknown) => Promise<TResult> | TResult,
    keepAliveInMs?: number,
  ): Promise<TResult> {
    this.leases++;
    this.lastUsedAt = performance.now();
    this.cancelExpiry();
    try {
      return await fn(this.model);
    } finally {
      this.leases--;
      this.lastUsedAt = performance.now();
      if (this.leases === 0) {
        this.drained?.();
        this.onIdle?.(keepAliveInMs);
      }
    }
  }

  /** Calls `expire` after `delayInMs` unless a lease starts first; Infinity: never. */
  expireAfter(delayInMs: number, expire: () => void): void {
    this.cancelExpiry();
    if (!Number.isFinite(delayInMs)) return;
    this.expiresAt = Date.now() + delayInMs;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.leases === 0) expire();
    }, delayInMs);
    this.expiryTimer.unref();
  }

  /** Stops the keep-alive clock. */
  cancelExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiresAt = undefined;
  }

  /** Waits for the leases to end, disposes the model with `dispose`, then frees its memory. */
  async retire(dispose: (model: unknown) => Promise<void>): Promise<void> {
    this.cancelExpiry();
    this.onIdle = undefined;
    if (this.leases > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await dispose(this.model);
    this.reservation.release();
  }
}
