import type { ModelLoaderError } from '../errors/model-loader-error.js';
import type { ModelLoaderEvents } from '../events/model-loader-events.js';
import type { ConcurrencyLimiter } from '../scheduler/concurrency-limiter.js';
import type { MemoryBudget, MemoryReservation } from '../scheduler/memory-budget.js';
import type { LoadedCopy } from './loaded-copy.js';
import type { LoaderSettings } from './loader-settings.js';
import type { RegisteredModel } from './registered-model.js';

/** What the load pipeline and the supervisor share with the loader that owns them. */
export interface LoaderRuntime {
  readonly settings: LoaderSettings;
  /** Load slots across every model (`loadConcurrency`). */
  readonly limiter: ConcurrencyLimiter;
  readonly memory: MemoryBudget;
  emit<K extends keyof ModelLoaderEvents>(event: K, payload: ModelLoaderEvents[K]): void;
  isClosed(): boolean;
  /** Disposes `copy` once its leases end and frees its memory; `close` waits for it. */
  retire(model: RegisteredModel, copy: LoadedCopy): Promise<void>;
  /** Disposes a model handle, logging (never throwing) a failure. */
  dispose(model: RegisteredModel, handle: unknown): Promise<void>;
  /** Reserves memory for a load, evicting idle models when it does not fit. */
  reserve(
    model: RegisteredModel,
    sizeInBytes: number,
    signal: AbortSignal,
  ): Promise<MemoryReservation>;
  /** A new copy serves the model: start its keep-alive. */
  serving(model: RegisteredModel, copy: LoadedCopy): void;
  /** A loaded copy stopped working (its process died). */
  onCopyFailed(model: RegisteredModel, handle: unknown, error: ModelLoaderError): void;
}
