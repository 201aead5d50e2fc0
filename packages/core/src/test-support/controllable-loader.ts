import type { ModelAdapter } from '../spec/model-adapter.js';

/** A model made by `createCountingAdapter`: an id and whether it was disposed. */
export interface FakeModel {
  readonly id: number;
  disposed: boolean;
}

/**
 * A plain in-memory adapter (no native runtime is involved in core tests) that counts loads,
 * concurrent loads and disposals, and can be told to fail or to wait.
 */
export function createCountingAdapter(
  options: { delayInMs?: number; failTimes?: number; error?: () => Error } = {},
) {
  const stats = {
    loads: 0,
    active: 0,
    maxActive: 0,
    disposed: [] as number[],
    failuresLeft: options.failTimes ?? 0,
    /** When set, loads wait for it (after counting themselves active): a test opens it when ready. */
    gate: undefined as Promise<void> | undefined,
  };
  const adapter: ModelAdapter<FakeModel, Record<string, unknown>> = {
    kind: 'file',
    async load(_path, _options, context) {
      stats.active++;
      stats.maxActive = Math.max(stats.maxActive, stats.active);
      try {
        if (stats.gate) await stats.gate;
        if (options.delayInMs) {
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, options.delayInMs);
            context.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(context.signal.reason);
            });
          });
        }
        if (stats.failuresLeft > 0) {
          stats.failuresLeft--;
          throw options.error?.() ?? new Error('CUDA out of memory');
        }
        stats.loads++;
        return { id: stats.loads, disposed: false };
      } finally {
        stats.active--;
      }
    },
    dispose(model) {
      if (model.disposed) throw new Error(`model ${model.id} disposed twice`);
      model.disposed = true;
      stats.disposed.push(model.id);
    },
  };
  return { adapter, stats };
}
