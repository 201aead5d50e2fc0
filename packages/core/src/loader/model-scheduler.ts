import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { MemoryReservation } from '../scheduler/memory-budget.js';
import type { LoadedCopy } from './loaded-copy.js';
import type { LoaderRuntime } from './loader-runtime.js';
import type { RegisteredModel } from './registered-model.js';

/** Why the scheduler loaded or unloaded a model. */
export type ScheduleReason = 'on-demand' | 'keep-alive' | 'evicted';

/**
 * Keep-alive and eviction: unloads a copy whose idle time ran out, and makes room in the memory
 * budget for a load by unloading idle models, least recently used first. A copy under a lease is
 * never unloaded; a load waits (bounded) for leases to end before it gives up.
 */
export class ModelScheduler {
  private readonly leaseWaiters = new Set<() => void>();

  constructor(
    private readonly runtime: LoaderRuntime,
    private readonly models: () => Iterable<RegisteredModel>,
    private readonly leaseWaitInMs: number,
  ) {}

  /** Starts keep-alive for a copy that just became the model's serving copy. */
  attach(model: RegisteredModel, copy: LoadedCopy): void {
    copy.onIdle = (keepAliveInMs) => {
      for (const wake of this.leaseWaiters) wake();
      copy.expireAfter(keepAliveInMs ?? model.registration.keepAliveInMs, () => {
        void this.unloadIdle(model, copy, 'keep-alive');
      });
    };
    if (copy.leaseCount === 0) copy.onIdle(undefined);
  }

  /** Reports a load the scheduler started for a caller. */
  loadingOnDemand(model: RegisteredModel): void {
    this.report(model, 'load', 'on-demand');
  }

  /**
   * Reserves memory for `model`'s load, evicting idle models when it does not fit.
   * @throws ModelLoaderError MODEL_INSUFFICIENT_MEMORY when nothing can make room
   */
  async reserve(
    model: RegisteredModel,
    sizeInBytes: number,
    signal: AbortSignal,
  ): Promise<MemoryReservation> {
    const { memory } = this.runtime;
    const deadline = performance.now() + this.leaseWaitInMs;
    for (;;) {
      signal.throwIfAborted();
      let victim = this.leastRecentlyUsedIdle(model);
      while (!memory.fits(sizeInBytes) && victim) {
        await this.unloadIdle(victim, victim.current!, 'evicted', model.name);
        victim = this.leastRecentlyUsedIdle(model);
      }
      const remaining = deadline - performance.now();
      const mayFreeUp = remaining > 0 && this.othersBusy(model);
      if (memory.fits(sizeInBytes) || !mayFreeUp) {
        try {
          // Waits while other loads hold reservations; refuses when only loaded models hold it.
          return await memory.reserve(model.name, sizeInBytes, signal);
        } catch (error) {
          const retry =
            ModelLoaderError.hasCode(error, 'MODEL_INSUFFICIENT_MEMORY') &&
            sizeInBytes <= memory.budgetInBytes &&
            (this.leastRecentlyUsedIdle(model) !== undefined || mayFreeUp);
          if (!retry) throw error;
          continue;
        }
      }
      // Busy models (leased, or loading) become evictable when they finish: look again then.
      await this.leaseEnd(Math.min(remaining, 50), signal);
    }
  }

  /** Unloads `copy` if it still serves `model` and nobody uses it; the model goes `idle`. */
  async unloadIdle(
    model: RegisteredModel,
    copy: LoadedCopy,
    reason: ScheduleReason,
    forModel?: string,
  ): Promise<void> {
    if (model.current !== copy || copy.leaseCount > 0 || model.waiting > 0) return;
    if (model.loadController) return;
    model.current = undefined;
    model.setState('idle');
    this.report(model, 'unload', reason, forModel);
    await this.runtime.retire(model, copy);
  }

  private leastRecentlyUsedIdle(loading: RegisteredModel): RegisteredModel | undefined {
    let oldest: RegisteredModel | undefined;
    for (const model of this.models()) {
      const copy = model.current;
      if (model === loading || !copy || !model.registration.evictable) continue;
      if (copy.leaseCount > 0 || model.waiting > 0 || model.loadController) continue;
      if (!oldest || copy.lastUsedAt < oldest.current!.lastUsedAt) oldest = model;
    }
    return oldest;
  }

  /** True while another evictable model is in use or loading: it may give way later. */
  private othersBusy(loading: RegisteredModel): boolean {
    for (const model of this.models()) {
      if (model === loading || !model.registration.evictable) continue;
      if ((model.current?.leaseCount ?? 0) > 0 || model.waiting > 0 || model.loadController) {
        return true;
      }
    }
    return false;
  }

  private leaseEnd(timeoutInMs: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.leaseWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutInMs);
      this.leaseWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private report(
    model: RegisteredModel,
    action: 'load' | 'unload',
    reason: ScheduleReason,
    forModel?: string,
  ): void {
    this.runtime.settings.logger.info(
      { model: model.name, action, reason, ...(forModel ? { forModel } : {}) },
      `scheduler: ${action} '${model.name}' (${reason}${forModel ? ` to make room for '${forModel}'` : ''})`,
    );
    this.runtime.emit('scheduled', {
      name: model.name,
      action,
      reason,
      ...(forModel ? { forModel } : {}),
    });
  }
}
