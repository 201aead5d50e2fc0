import type { ModelLoaderEvents } from './events/model-loader-events.js';
import type { HealthStatus } from './health/health-status.js';
import type { ModelInfo } from './model-info.js';
import type { LoadAllOptions, UseOptions } from './model-loader-options.js';

/**
 * The untyped view of a `ModelLoader`: what servers and plugins need, whatever models were
 * registered. Every `ModelLoader<...>` is assignable to it.
 */
export interface ModelRegistry {
  readonly modelDir: string;
  readonly modelNames: string[];
  has(name: string): boolean;
  loadAll(options?: LoadAllOptions): Promise<Record<string, { readonly ok: boolean }>>;
  load(name: string): Promise<unknown>;
  reload(name: string): Promise<unknown>;
  unload(name: string): Promise<void>;
  get(name: string): unknown;
  assertServable(name: string): void;
  use<TResult>(
    name: string,
    fn: (model: unknown) => Promise<TResult> | TResult,
    options?: UseOptions,
  ): Promise<TResult>;
  getHealthStatus(): HealthStatus;
  getModelInfo(name: string): ModelInfo;
  getMemoryUsage(): { usedInBytes: number; budgetInBytes: number };
  on<K extends keyof ModelLoaderEvents>(
    event: K,
    listener: (payload: ModelLoaderEvents[K]) => void,
  ): () => void;
  close(): Promise<void>;
}
