import type { ChecksumVerification } from './checksum/checksum-verifier.js';
import type { ModelState } from './lifecycle/model-state.js';
import type { ModelInspection } from './spec/model-adapter.js';
import type { ModelFormat } from './spec/model-format.js';

/** One file of a model, as validated. */
export interface ModelFileInfo {
  /** Path relative to the model directory. */
  readonly path: string;
  readonly sizeInBytes: number;
  readonly format: ModelFormat;
  /** Set when a checksum was verified for this file. */
  readonly checksum?: ChecksumVerification;
}

/** What `getModelInfo` reports about one model. */
export interface ModelInfo {
  readonly name: string;
  readonly state: ModelState;
  readonly required: boolean;
  /** The spec's path, as registered. */
  readonly path: string;
  /** Adapter format, or `unknown` for a plain loader function. */
  readonly format: ModelFormat;
  readonly kind: 'file' | 'directory';
  /** Total bytes of the model's files, once validated. */
  readonly sizeInBytes?: number;
  readonly files: readonly ModelFileInfo[];
  /**
   * True when every file of the model was verified against a pinned checksum (the spec's
   * `checksum` or the lock file) by its last validation; false for an unpinned model, with
   * `validateChecksums` off, or before the first validation.
   */
  readonly verified: boolean;
  /** The adapter's preflight summary. */
  readonly inspection?: ModelInspection;
  /** Bytes reserved in the memory budget. */
  readonly memoryEstimateInBytes?: number;
  /** Duration of the last successful load (validation, checksum and loader). */
  readonly loadTimeInMs?: number;
  /** When the serving copy finished loading (ISO 8601). */
  readonly loadedAt?: string;
  /** Attempts made by the last load. */
  readonly attempts: number;
  /** Attempts allowed per load. */
  readonly maxAttempts: number;
  /** True while a reload prepares a new copy (the old one keeps serving). */
  readonly reloading: boolean;
  /** When `loadAll` loads the model (`on-demand`: on its first `use`). */
  readonly load: 'startup' | 'on-demand';
  /** Idle time before keep-alive unloads the model; absent: never. */
  readonly keepAliveInMs?: number;
  /** When keep-alive will unload the serving copy (ISO 8601); absent while in use or forever. */
  readonly expiresAt?: string;
  /** Whether the memory budget may unload the model when idle to make room. */
  readonly evictable: boolean;
  /** Bytes the serving copy holds in the budget: its process's measured size, else the estimate. */
  readonly residentBytes?: number;
  /** Calls holding the serving copy through `use`. */
  readonly activeLeases: number;
  /** Where the model runs: its own process, or the engine's. */
  readonly isolation: 'process' | 'none';
  /** Times its process was restarted after dying (since registration or the last manual load). */
  readonly restarts: number;
  /** How its process last died, when it did (kept after a successful restart). */
  readonly lastExit?: { readonly code: string; readonly message: string; readonly at: string };
  /** The serving copy's process: id and resident memory measured right after the load. */
  readonly process?: { readonly pid: number; readonly rssInBytes: number };
  /** The error of the last load or reload that failed, until a later one succeeds. */
  readonly lastError?: { readonly code: string; readonly message: string };
}
