import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import type { IsolationMode } from '../isolation/model-process-entry.js';
import type { KeepAlive } from '../scheduler/keep-alive.js';
import type { LoaderFunction, ModelAdapter } from './model-adapter.js';

/** An expected checksum: `"sha256:<hex>"` (a bare hex string means sha256), or its parts. */
export type ChecksumInput =
  | string
  | { readonly algorithm: ChecksumAlgorithm; readonly expected: string };

/** Registration of one model (the seed's `ModelConfig`). */
export interface ModelSpec<
  TName extends string,
  TModel,
  TOptions = Record<string, unknown>,
  TIsolation extends IsolationMode = IsolationMode,
> {
  /** Unique name, used by `get`, the health report and the HTTP routes. */
  readonly name: TName;
  /** File or folder of the model, absolute or relative to `modelDir`; it must stay inside `modelDir`. */
  readonly path: string;
  /** An adapter, or a plain function `(path, options, context) => Promise<model>`. */
  readonly adapter: ModelAdapter<TModel, TOptions> | LoaderFunction<TModel, TOptions>;
  /** A required model that fails makes the service unhealthy; an optional one, degraded. @default true */
  readonly required?: boolean;
  /**
   * The model may load with files that no checksum pins when a lock file is configured: they are
   * loaded unverified, with a warning, and `getModelInfo` says `verified: false`. Without it, such a
   * model fails with LOCK_ENTRY_MISSING. @default false
   */
  readonly allowUnpinned?: boolean;
  /**
   * Expected checksum of the file. For a directory adapter: a record from each file's path relative
   * to the model folder to its checksum.
   */
  readonly checksum?: ChecksumInput | Readonly<Record<string, ChecksumInput>>;
  /** Load attempts in all (the seed's `retry_count`); retries wait 0.5 s, 1 s, 2 s ... @default 1 */
  readonly attempts?: number;
  /** Time limit of one load attempt; the loader's signal is aborted when it passes. */
  readonly loadTimeoutInMs?: number;
  /** Options handed to the loader (the seed's `loader_kwargs`). */
  readonly options?: TOptions;
  /** Memory the model takes when the adapter cannot estimate it; used by the memory budget. */
  readonly memoryEstimateInBytes?: number;
  /**
   * `'process'`: load and serve the model in its own supervised child process (the adapter needs a
   * `processEntry`; `get` then returns a `Remote` handle). `'none'`: in the engine's process.
   * @default the loader's `isolation`
   */
  readonly isolation?: TIsolation;
  /**
   * `'startup'`: `loadAll` loads the model. `'on-demand'`: `loadAll` only validates and verifies
   * it (state `idle`); the first `use` loads it, concurrent callers share that one load.
   * @default 'startup'
   */
  readonly load?: 'startup' | 'on-demand';
  /**
   * How long the model stays loaded after its last use ends: milliseconds or a duration (`'5m'`),
   * `0` unloads after each use, `-1`/`'forever'` never. An expired model goes `idle` and loads
   * again on its next `use`. @default 'forever'
   */
  readonly keepAlive?: KeepAlive;
  /**
   * Whether the memory budget may unload this model, when it has no lease, to make room for
   * another model's load (least recently used first). @default true
   */
  readonly evictable?: boolean;
}
