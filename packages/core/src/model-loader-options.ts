import type { ChecksumVerifier } from './checksum/checksum-verifier.js';
import type { ModelProcessTimeouts } from './isolation/model-process.js';
import type { IsolationMode } from './isolation/model-process-entry.js';
import type { RestartPolicy } from './lifecycle/restart-budget.js';
import type { KeepAliveInput } from './models-file/keep-alive.js';
import type { BackoffOptions } from './retry/backoff-options.js';
import type { Logger } from './spec/logger.js';

/** Supervision of model processes (models with `isolation: 'process'`). */
export interface ModelProcessSupervision extends ModelProcessTimeouts, RestartPolicy {
  /** Time limit of an adapter's `estimateMemory` in its process (its start and runtime import included). @default 60000 */
  readonly estimateTimeoutInMs?: number;
  /** Extra Node.js flags for model processes (for example `--max-old-space-size=4096`). */
  readonly execArgv?: readonly string[];
}

/** Options of a `ModelLoader` (the seed's `ModelLoader(model_dir, logger, validate_checksums)`). */
export interface ModelLoaderOptions<TIsolation extends IsolationMode = IsolationMode> {
  /** Root folder of the models. Every model path must stay inside it, symlinks resolved. */
  readonly modelDir: string;
  /** Verify the checksums given in model specs. @default true */
  readonly validateChecksums?: boolean;
  /** pino-compatible logger (Fastify's `app.log` fits). @default a silent logger */
  readonly logger?: Logger;
  /** Loads running at once, across `loadAll`, `load` and `reload`. @default 3 (the seed's max_workers) */
  readonly loadConcurrency?: number;
  /** Total bytes the loaded models may take by their estimates. @default Infinity */
  readonly memoryBudgetInBytes?: number;
  /**
   * Computes digests. @default worker-thread hashing with the fingerprint cache
   * (`createChecksumVerifier`), closed by `close()`
   */
  readonly checksumVerifier?: ChecksumVerifier;
  /**
   * Folder of the fingerprint cache of the default verifier, or `false` for none.
   * @default `$XDG_CACHE_HOME/model-loader/fingerprints` (or `~/.cache/...`)
   */
  readonly checksumCacheDirectory?: string | false;
  /** Re-hash every file on every load, ignoring the fingerprint cache. @default false */
  readonly strictChecksums?: boolean;
  /**
   * Lock file (`model-loader lock` writes it), absolute or relative to `modelDir`. A model without a
   * `checksum` in its spec is verified against the lock file's entries for its files; a file it does
   * not pin fails the model with LOCK_ENTRY_MISSING unless the spec says `allowUnpinned`. The file
   * is read again when it changes (stat check) and on every `reload`. A missing file fails the
   * models with LOCK_FILE_NOT_FOUND.
   */
  readonly lockFile?: string;
  /** Schedule between load attempts and between restarts. @default 500 ms, factor 2, max 30 s, no jitter */
  readonly backoff?: BackoffOptions;
  /**
   * Where models run unless their spec says otherwise: `'process'` gives each model a supervised
   * child process (a native crash fails that model, not the caller), `'none'` loads in this
   * process. Library default `'none'`: forking is a deployment decision; the servers default to
   * `'process'`.
   * @default 'none'
   */
  readonly isolation?: TIsolation;
  /**
   * How long a load that does not fit the memory budget waits for leases on evictable models to
   * end (then they are evicted) before it fails with MODEL_INSUFFICIENT_MEMORY. @default 30000
   */
  readonly leaseWaitInMs?: number;
  /** Timeouts and restart limits of model processes. */
  readonly processes?: ModelProcessSupervision;
}

/** Options of `loadAll`. */
export interface LoadAllOptions {
  /** Load several models at once. @default true */
  readonly parallel?: boolean;
  /**
   * Loads at once for this call, at most the loader's `loadConcurrency` (a larger value is refused
   * with CONFIG_INVALID rather than silently capped). @default the loader's `loadConcurrency`
   */
  readonly concurrency?: number;
}

/** Options of `use`. */
export interface UseOptions {
  /**
   * Keep-alive from the end of this call, replacing the model's (as Ollama's per-request
   * `keep_alive`): milliseconds or a duration such as `'5m'`, `0` unloads right after, `-1` never.
   */
  readonly keepAlive?: KeepAliveInput;
}
