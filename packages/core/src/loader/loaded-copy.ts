import type { MemoryReservation } from '../scheduler/memory-budget.js';

/**
 * One loaded copy of a model: the adapter's model, the memory it holds and the calls using it.
 * A hot swap keeps two copies of one model for a while; each one drains and disposes on its own.
 */
export class LoadedCopy {
  readonly loadedAt = new Date();
  private leases = 0;
  private drained?: () => void;

  constructor(
    readonly model: unknown,
    readonly reservation: MemoryReservation,
    readonly loadTimeInMs: number,
  ) {}

  /** Calls running with this copy through `lease`. */
  get leaseCount(): number {
    return this.leases;
  }

  /** Runs `fn` with the model; a retirement waits for it to finish before disposing. */
  async lease<TResult>(fn: (model: unknown) => Promise<TResult> | TResult): Promise<TResult> {
    this.leases++;
    try {
      return await fn(this.model);
    } finally {
      this.leases--;
      if (this.leases === 0) this.drained?.();
    }
  }

  /** Waits for the leases to end, disposes the model with `dispose`, then frees its memory. */
  async retire(dispose: (model: unknown) => Promise<void>): Promise<void> {
    if (this.leases > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await dispose(this.model);
    this.reservation.release();
  }
}
