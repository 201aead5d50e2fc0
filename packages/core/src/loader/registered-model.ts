import type { ChecksumVerification } from '../checksum/checksum-verifier.js';
import type { ExpectedChecksum } from '../checksum/parse-checksum.js';
import { describeError, ModelLoaderError } from '../errors/model-loader-error.js';
import type { FileFingerprint } from '../integrity/file-fingerprint.js';
import type { IsolationMode } from '../isolation/model-process-entry.js';
import type { ModelState } from '../lifecycle/model-state.js';
import type { RestartBudget } from '../lifecycle/restart-budget.js';
import type { ModelInfo } from '../model-info.js';
import type { ModelAdapter, ModelInspection } from '../spec/model-adapter.js';
import type { ValidatedModel, ValidationTarget } from '../validation/validate-model-file.js';
import type { LoadedCopy } from './loaded-copy.js';

/** What a registration fixes about a model; checked once by `createRegisteredModel`. */
export interface ModelRegistration {
  readonly name: string;
  readonly specPath: string;
  readonly adapter: ModelAdapter<unknown, unknown>;
  readonly required: boolean;
  readonly checksums: ReadonlyMap<string, ExpectedChecksum>;
  readonly allowUnpinned: boolean;
  readonly attempts: number;
  readonly loadTimeoutInMs?: number;
  readonly options: unknown;
  readonly memoryEstimateInBytes?: number;
  readonly isolation: IsolationMode;
  readonly load: 'startup' | 'on-demand';
  /** Idle time before unloading; Infinity: never. */
  readonly keepAliveInMs: number;
  readonly evictable: boolean;
}

/** Reports a state change (the loader turns it into a `stateChange` event). */
export type StateListener = (name: string, from: ModelState, to: ModelState) => void;

/**
 * One registered model and what is known about it: its state, its serving copy, the last error
 * and the results of its last validation. Operations on one model run one after another.
 */
export class RegisteredModel {
  state: ModelState = 'pending';
  /** True once a load, reload or unload has finished (health waits for it). */
  settledOnce = false;
  current?: LoadedCopy;
  lastError?: ModelLoaderError;
  lastAttempts = 0;
  reloading = false;
  validated?: ValidatedModel;
  verified = new Map<string, ChecksumVerification>();
  inspection?: ModelInspection;
  memoryEstimate?: number;
  loadController?: AbortController;
  /** Fingerprints of the files at the last successful check; while they hold, its results do. */
  checkedFingerprints?: readonly FileFingerprint[];
  /** Callers of `use` waiting for a load; the scheduler never unloads a model they wait for. */
  waiting = 0;
  /** The on-demand load callers are waiting for. */
  pendingLoad?: Promise<unknown>;
  restartTimer?: NodeJS.Timeout;
  lastExit?: NonNullable<ModelInfo['lastExit']>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly registration: ModelRegistration,
    readonly restarts: RestartBudget,
    private readonly onStateChange: StateListener,
  ) {}

  get name(): string {
    return this.registration.name;
  }

  get adapter(): ModelAdapter<unknown, unknown> {
    return this.registration.adapter;
  }

  /** Moves to `to` and reports the change (the listener logs an invalid transition). */
  setState(to: ModelState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.onStateChange(this.name, from, to);
  }

  /** Runs `operation` after the model's earlier operations, whatever their outcome. */
  enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** What validation checks for this model's files. */
  validationTarget(modelDir: string): ValidationTarget {
    const adapter = this.adapter;
    return {
      modelName: this.name,
      modelDir,
      specPath: this.registration.specPath,
      kind: adapter.kind,
      ...(adapter.format ? { format: adapter.format } : {}),
      ...(adapter.requiredFiles ? { requiredFiles: adapter.requiredFiles } : {}),
    };
  }

  /** MODEL_NOT_AVAILABLE with the last load error, for a call that needs the loaded model. */
  notAvailable(): ModelLoaderError {
    const lastError = this.lastError;
    const cause =
      lastError?.code === 'MODEL_LOAD_FAILED' && lastError.cause ? lastError.cause : lastError;
    return new ModelLoaderError(
      'MODEL_NOT_AVAILABLE',
      `Model '${this.name}' is not available (status: ${this.state}).` +
        (lastError ? `\nLoading failed with: ${describeError(cause)}` : ''),
      { modelName: this.name, ...(lastError ? { cause: lastError } : {}) },
    );
  }

  /** Stops a pending restart. */
  cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }
}
