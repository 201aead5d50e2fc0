import type { ModelLoaderError } from '../errors/model-loader-error.js';
import type { Logger } from './logger.js';

/** Progress of a long step (hashing, loading), in bytes or in the unit the loader reports. */
export interface LoadProgress {
  /** Name of the step: `checksum`, `load`, or one the loader chooses. */
  readonly step: string;
  /** Work done so far. */
  readonly done: number;
  /** Total work, when known. */
  readonly total?: number;
}

/** What a loader receives besides the path and its options. */
export interface LoadContext {
  /** Name of the model being loaded. */
  readonly modelName: string;
  /** Aborted on timeout, unload, or close. A loader should stop and free what it holds. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** The loader's logger (pino-compatible). */
  readonly logger: Logger;
  /** Report progress; the engine forwards it as a `progress` event. */
  readonly onProgress: (progress: LoadProgress) => void;
  /**
   * Reports that the loaded model stopped working after `load` resolved (its process died). The
   * engine marks it `failed` and restarts it within its restart limit. Absent outside the engine.
   */
  readonly onModelFailed?: (error: ModelLoaderError) => void;
}
