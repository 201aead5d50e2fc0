import { ModelLoaderError } from '../errors/model-loader-error.js';

/** Memory held by one model (loading or loaded). Release it when the model is gone. */
export interface MemoryReservation {
  readonly sizeInBytes: number;
  /** Gives the bytes back; safe to call twice. */
  release(): void;
  /** Marks the reservation as held by a loaded model (it will not be freed by a load finishing). */
  settle(): void;
  /**
   * Replaces the estimate with a measured size (a model process's resident memory after the
   * load). Growing past the budget is allowed: the memory is taken already; later loads see it.
   */
  resize(sizeInBytes: number): void;
}

/**
 * Admission control for model memory. A reservation waits while loads in progress could still free
 * memory; when only loaded models hold it, a request that does not fit fails at once, never hangs.
 */
export class MemoryBudget {
  private reservedInBytes = 0;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];

  /** @param budgetInBytes total bytes; Infinity disables the budget. */
  constructor(readonly budgetInBytes: number) {}

  /** Bytes reserved by loading and loaded models. */
  get usedInBytes(): number {
    return this.reservedInBytes;
  }

  /** True when `sizeInBytes` more fits now. */
  fits(sizeInBytes: number): boolean {
    return this.reservedInBytes + sizeInBytes <= this.budgetInBytes;
  }

  /**
   * Reserves `sizeInBytes` for `modelName`.
   * @throws ModelLoaderError MODEL_INSUFFICIENT_MEMORY
   */
  async reserve(
    modelName: string,
    sizeInBytes: number,
    signal?: AbortSignal,
  ): Promise<MemoryReservation> {
    if (sizeInBytes > this.budgetInBytes) {
      throw this.insufficient(modelName, sizeInBytes, 'its estimate alone exceeds the budget');
    }
    while (this.reservedInBytes + sizeInBytes > this.budgetInBytes) {
      if (this.inFlight === 0) {
        throw this.insufficient(
          modelName,
          sizeInBytes,
          'loaded models hold the rest; unload one first',
        );
      }
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    signal?.throwIfAborted();
    this.reservedInBytes += sizeInBytes;
    this.inFlight++;
    let state: 'loading' | 'settled' | 'released' = 'loading';
    let held = sizeInBytes;
    return {
      get sizeInBytes() {
        return held;
      },
      settle: () => {
        if (state !== 'loading') return;
        state = 'settled';
        this.inFlight--;
        this.wake();
      },
      release: () => {
        if (state === 'released') return;
        if (state === 'loading') this.inFlight--;
        state = 'released';
        this.reservedInBytes -= held;
        this.wake();
      },
      resize: (measuredInBytes) => {
        if (state === 'released' || !(measuredInBytes >= 0)) return;
        this.reservedInBytes += measuredInBytes - held;
        held = measuredInBytes;
        this.wake();
      },
    };
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private insufficient(modelName: string, sizeInBytes: number, reason: string): ModelLoaderError {
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    return new ModelLoaderError(
      'MODEL_INSUFFICIENT_MEMORY',
      `Model '${modelName}' needs about ${mib(sizeInBytes)} but the memory budget has ${mib(
        Math.max(0, this.budgetInBytes - this.reservedInBytes),
      )} free of ${mib(this.budgetInBytes)}: ${reason}`,
      {
        modelName,
        expected: String(sizeInBytes),
        actual: String(this.budgetInBytes - this.reservedInBytes),
      },
    );
  }
}
