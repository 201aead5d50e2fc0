import { realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  type ChecksumVerification,
  type ChecksumVerifier,
  verifyChecksum,
} from './checksum/checksum-verifier.js';
import { type ExpectedChecksum, parseChecksum } from './checksum/parse-checksum.js';
import { describeError, ModelLoaderError } from './errors/model-loader-error.js';
import type { ModelLoaderEvents } from './events/model-loader-events.js';
import { TypedEmitter } from './events/typed-emitter.js';
import { computeHealth, type HealthStatus } from './health/health-status.js';
import {
  createChecksumVerifier,
  type IntegrityChecksumVerifier,
} from './integrity/create-checksum-verifier.js';
import { createLockFileSource, type LockFileSource } from './integrity/lock-file-source.js';
import { lockedChecksumsFor } from './integrity/locked-checksums.js';
import { remoteProcessInfo } from './isolation/create-remote-handle.js';
import { isolateAdapter } from './isolation/isolate-adapter.js';
import type { IsolationMode, Remote } from './isolation/model-process-entry.js';
import { canTransition, type ModelState } from './lifecycle/model-state.js';
import { RestartBudget } from './lifecycle/restart-budget.js';
import { runWithTimeout } from './lifecycle/run-with-timeout.js';
import type { ModelInfo } from './model-info.js';
import type {
  LoadAllOptions,
  ModelLoaderOptions,
  ModelProcessSupervision,
} from './model-loader-options.js';
import type { ModelRegistry } from './model-registry.js';
import { type ResolvedBackoff, resolveBackoff } from './retry/backoff-options.js';
import { retryWithBackoff } from './retry/retry-with-backoff.js';
import {
  type ConcurrencyLimiter,
  createConcurrencyLimiter,
} from './scheduler/concurrency-limiter.js';
import { MemoryBudget, type MemoryReservation } from './scheduler/memory-budget.js';
import type { LoadContext } from './spec/load-context.js';
import { type Logger, silentLogger } from './spec/logger.js';
import { isModelAdapter, type ModelAdapter, type ModelInspection } from './spec/model-adapter.js';
import type { ModelSpec } from './spec/model-spec.js';
import { resolveModelPath } from './validation/resolve-model-path.js';
import {
  type ValidatedModel,
  type ValidationTarget,
  validateModel,
} from './validation/validate-model-file.js';

/** Names accepted by `get`: the registered ones when known to the type system, else any string. */
export type ModelName<TModels> = [keyof TModels] extends [never]
  ? string
  : Extract<keyof TModels, string>;
/** The model type registered under `TName`. */
export type ModelOf<TModels, TName> = TName extends keyof TModels ? TModels[TName] : unknown;
/**
 * What `get` returns for a model registered with `TSpec` isolation on a loader whose default is
 * `TDefault`: the adapter's handle in process, its `Remote` view in a process of its own.
 */
export type ServedModel<TModel, TSpec, TDefault> = [TSpec] extends ['process']
  ? Remote<TModel>
  : [TSpec] extends ['none']
    ? TModel
    : [TDefault] extends ['none']
      ? TModel
      : Remote<TModel>;

/** Result of one model's load in `loadAll`. */
export interface ModelLoadResult {
  readonly name: string;
  readonly ok: boolean;
  readonly state: ModelState;
  readonly durationInMs: number;
  readonly attempts: number;
  readonly error?: ModelLoaderError;
}

interface LoadedCopy {
  readonly model: unknown;
  readonly reservation: MemoryReservation;
  readonly loadedAt: Date;
  readonly loadTimeInMs: number;
  leases: number;
  onDrained?: () => void;
}

interface ModelRecord {
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
  readonly restarts: RestartBudget;
  restartTimer?: NodeJS.Timeout;
  lastExit?: NonNullable<ModelInfo['lastExit']>;
  state: ModelState;
  settledOnce: boolean;
  current?: LoadedCopy;
  lastError?: ModelLoaderError;
  lastAttempts: number;
  reloading: boolean;
  validated?: ValidatedModel;
  verified: Map<string, ChecksumVerification>;
  inspection?: ModelInspection;
  memoryEstimate?: number;
  /** Tail of this model's operation chain: operations on one model run one after another. */
  queue: Promise<unknown>;
  loadController?: AbortController;
}

/**
 * Registers models, validates and verifies their files, loads them within a worker limit and a
 * memory budget, retries transient failures, and reports health. A failing model never throws out of
 * `loadAll`: the service keeps running and health says what is wrong.
 *
 * @example
 * const loader = new ModelLoader({ modelDir: './models' })
 *   .register({ name: 'summariser', path: 'summariser.gguf', adapter: ggufAdapter });
 * await loader.loadAll();
 * const model = loader.get('summariser'); // typed as the adapter's model
 */
export class ModelLoader<
    TModels extends Record<string, unknown> = Record<never, never>,
    TDefaultIsolation extends IsolationMode = 'none',
  >
  extends TypedEmitter<ModelLoaderEvents>
  implements ModelRegistry
{
  /** Real path of the model directory. */
  readonly modelDir: string;
  private readonly records = new Map<string, ModelRecord>();
  private readonly logger: Logger;
  private readonly validateChecksums: boolean;
  private readonly limiter: ConcurrencyLimiter;
  private readonly memory: MemoryBudget;
  private readonly backoff: ResolvedBackoff;
  private readonly checksumVerifier: ChecksumVerifier;
  private readonly ownedVerifier?: IntegrityChecksumVerifier;
  private readonly lockSource?: LockFileSource;
  private readonly retiring = new Set<Promise<void>>();
  private readonly isolation: IsolationMode;
  private readonly processes: ModelProcessSupervision;
  private closed = false;

  constructor(options: ModelLoaderOptions<TDefaultIsolation>) {
    const logger = options.logger ?? silentLogger;
    super(logger);
    this.logger = logger;
    if (typeof options.modelDir !== 'string' || options.modelDir === '') {
      throw new ModelLoaderError('CONFIG_INVALID', '`modelDir` must be a non-empty path');
    }
    const loadConcurrency = options.loadConcurrency ?? 3;
    if (!Number.isInteger(loadConcurrency) || loadConcurrency < 1) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `\`loadConcurrency\` must be an integer >= 1, got ${loadConcurrency}`,
      );
    }
    const budget = options.memoryBudgetInBytes ?? Number.POSITIVE_INFINITY;
    if (!(budget > 0)) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `\`memoryBudgetInBytes\` must be a number > 0, got ${budget}`,
      );
    }
    const absolute = resolve(options.modelDir);
    try {
      this.modelDir = realpathSync(absolute);
    } catch {
      // A missing model directory is not fatal: every model will fail with MODEL_FILE_NOT_FOUND.
      this.modelDir = absolute;
    }
    this.validateChecksums = options.validateChecksums ?? true;
    this.limiter = createConcurrencyLimiter(loadConcurrency);
    this.memory = new MemoryBudget(budget);
    this.backoff = resolveBackoff(options.backoff);
    if (options.checksumVerifier) {
      this.checksumVerifier = options.checksumVerifier;
    } else {
      this.ownedVerifier = createChecksumVerifier({
        logger,
        ...(options.strictChecksums === undefined ? {} : { strict: options.strictChecksums }),
        ...(options.checksumCacheDirectory === undefined
          ? {}
          : { cacheDirectory: options.checksumCacheDirectory }),
      });
      this.checksumVerifier = this.ownedVerifier;
    }
    if (options.lockFile !== undefined) {
      this.lockSource = createLockFileSource(
        resolve(this.modelDir, options.lockFile),
        options.lockFile,
      );
    }
    this.isolation = checkIsolation(options.isolation ?? 'none', '`isolation`');
    this.processes = options.processes ?? {};
  }

  /**
   * Registers a model. Returns the loader with the model's type added, so chain registrations:
   * `new ModelLoader(o).register(a).register(b)`.
   * @throws ModelLoaderError MODEL_ALREADY_REGISTERED, CHECKSUM_INVALID, CONFIG_INVALID
   */
  register<
    TName extends string,
    TModel,
    TOptions,
    TSpecIsolation extends IsolationMode | undefined = undefined,
  >(
    spec: ModelSpec<TName, TModel, TOptions, NonNullable<TSpecIsolation>> & {
      readonly isolation?: TSpecIsolation;
    },
  ): ModelLoader<
    TModels & { [K in TName]: ServedModel<TModel, TSpecIsolation, TDefaultIsolation> },
    TDefaultIsolation
  > {
    this.assertOpen();
    const name = spec?.name;
    const invalid = (field: string, rule: string) =>
      new ModelLoaderError(
        'CONFIG_INVALID',
        `Model '${String(name)}': \`${field}\` must be ${rule}`,
        {
          modelName: String(name),
        },
      );
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ModelLoaderError('CONFIG_INVALID', '`name` must be a non-empty string');
    }
    if (this.records.has(name)) {
      throw new ModelLoaderError(
        'MODEL_ALREADY_REGISTERED',
        `Model '${name}' is already registered`,
        {
          modelName: name,
        },
      );
    }
    if (typeof spec.path !== 'string' || spec.path === '')
      throw invalid('path', 'a non-empty string');
    const inProcess = toAdapter(spec.adapter);
    if (!inProcess) throw invalid('adapter', 'an adapter object with `load` or a function');
    const isolation = checkIsolation(
      spec.isolation ?? this.isolation,
      `Model '${name}': \`isolation\``,
    );
    const adapter =
      isolation === 'process'
        ? isolateAdapter(inProcess, {
            ...this.processes,
            modelName: name,
            logger: this.logger,
          })
        : inProcess;
    const attempts = spec.attempts ?? 1;
    if (!Number.isInteger(attempts) || attempts < 1) throw invalid('attempts', 'an integer >= 1');
    if (
      spec.loadTimeoutInMs !== undefined &&
      !(Number.isFinite(spec.loadTimeoutInMs) && spec.loadTimeoutInMs > 0)
    ) {
      throw invalid('loadTimeoutInMs', 'a finite number > 0');
    }
    if (
      spec.memoryEstimateInBytes !== undefined &&
      !(Number.isFinite(spec.memoryEstimateInBytes) && spec.memoryEstimateInBytes >= 0)
    ) {
      throw invalid('memoryEstimateInBytes', 'a finite number >= 0');
    }
    const record: ModelRecord = {
      name,
      specPath: spec.path,
      adapter: adapter as ModelAdapter<unknown, unknown>,
      required: spec.required ?? true,
      checksums: parseSpecChecksums(spec.checksum, adapter.kind, name),
      allowUnpinned: spec.allowUnpinned ?? false,
      attempts,
      ...(spec.loadTimeoutInMs === undefined ? {} : { loadTimeoutInMs: spec.loadTimeoutInMs }),
      options: spec.options ?? {},
      ...(spec.memoryEstimateInBytes === undefined
        ? {}
        : { memoryEstimateInBytes: spec.memoryEstimateInBytes }),
      isolation,
      restarts: new RestartBudget(this.processes, this.backoff),
      state: 'pending',
      settledOnce: false,
      lastAttempts: 0,
      reloading: false,
      verified: new Map(),
      queue: Promise.resolve(),
    };
    this.records.set(name, record);
    this.logger.debug(
      { model: name, path: spec.path, required: record.required },
      'model registered',
    );
    return this as unknown as ModelLoader<
      TModels & { [K in TName]: ServedModel<TModel, TSpecIsolation, TDefaultIsolation> },
      TDefaultIsolation
    >;
  }

  /** Names of the registered models, in registration order. */
  get modelNames(): string[] {
    return [...this.records.keys()];
  }

  /** True when a model of this name is registered. */
  has(name: string): boolean {
    return this.records.has(name);
  }

  /**
   * Loads every registered model, required ones first. Never throws for a model's failure: the
   * result (and health) says which failed and why.
   */
  async loadAll(options: LoadAllOptions = {}): Promise<Record<string, ModelLoadResult>> {
    const parallel = options.parallel ?? true;
    const concurrency = options.concurrency ?? this.limiter.concurrency;
    if (
      !Number.isInteger(concurrency) ||
      concurrency < 1 ||
      concurrency > this.limiter.concurrency
    ) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `\`concurrency\` must be an integer from 1 to the loader's \`loadConcurrency\` (${this.limiter.concurrency}), got ${concurrency}`,
      );
    }
    const limit = createConcurrencyLimiter(parallel ? concurrency : 1);
    const ordered = [...this.records.values()].sort(
      (a, b) => Number(b.required) - Number(a.required),
    );
    const results = await Promise.all(
      ordered.map((record) =>
        limit(async (): Promise<ModelLoadResult> => {
          const started = performance.now();
          try {
            await this.loadRecord(record);
            return this.result(record, started);
          } catch (error) {
            return this.result(record, started, toLoaderError(error, record.name));
          }
        }),
      ),
    );
    const byName = new Map(results.map((result) => [result.name, result]));
    return Object.fromEntries([...this.records.keys()].map((name) => [name, byName.get(name)!]));
  }

  /**
   * Loads one model (no-op when loaded) and returns it.
   * @throws ModelLoaderError the load's error, with a stable code
   */
  load<TName extends ModelName<TModels>>(name: TName): Promise<ModelOf<TModels, TName>> {
    const record = this.record(name);
    this.cancelRestart(record);
    record.restarts.reset();
    return this.loadRecord(record) as Promise<ModelOf<TModels, TName>>;
  }

  /**
   * Hot swap: loads a new copy while the current one keeps serving, then switches and disposes the
   * old copy once its leases end. On failure the old copy stays and the error is returned. The lock
   * file, when configured, is read again.
   */
  reload<TName extends ModelName<TModels>>(name: TName): Promise<ModelOf<TModels, TName>> {
    const record = this.record(name);
    this.cancelRestart(record);
    record.restarts.reset();
    return this.enqueue(record, async () => {
      this.assertOpen();
      this.lockSource?.refresh();
      return this.runLoad(record, record.current !== undefined);
    }) as Promise<ModelOf<TModels, TName>>;
  }

  /** Unloads a model: aborts a load in progress, waits for leases, disposes. No-op when not loaded. */
  unload(name: ModelName<TModels> | (string & {})): Promise<void> {
    const record = this.record(name);
    this.cancelRestart(record);
    record.loadController?.abort(new Error('unloaded'));
    return this.enqueue(record, async () => {
      record.loadController?.abort(new Error('unloaded'));
      const copy = record.current;
      record.settledOnce = true;
      if (record.state !== 'unloaded') this.setState(record, 'unloaded');
      if (!copy) return;
      record.current = undefined;
      await this.retire(record, copy);
    });
  }

  /**
   * The loaded model. Does not hold it: use `use` around calls that must not see it disposed.
   * @throws ModelLoaderError MODEL_NOT_REGISTERED, MODEL_NOT_AVAILABLE (with the load error)
   */
  get<TName extends ModelName<TModels>>(name: TName): ModelOf<TModels, TName> {
    const record = this.record(name);
    if (record.current) return record.current.model as ModelOf<TModels, TName>;
    throw this.notAvailable(record);
  }

  /**
   * Runs `fn` with the loaded model under a lease: an unload or reload waits for `fn` to finish
   * before disposing this copy.
   */
  async use<TName extends ModelName<TModels>, TResult>(
    name: TName,
    fn: (model: ModelOf<TModels, TName>) => Promise<TResult> | TResult,
  ): Promise<TResult> {
    const record = this.record(name);
    const copy = record.current;
    if (!copy) throw this.notAvailable(record);
    copy.leases++;
    try {
      return await fn(copy.model as ModelOf<TModels, TName>);
    } finally {
      copy.leases--;
      if (copy.leases === 0) copy.onDrained?.();
    }
  }

  /** Health of the service by the seed's rules, plus `loading`. */
  getHealthStatus(): HealthStatus {
    return computeHealth(
      [...this.records.values()].map((record) => ({
        name: record.name,
        required: record.required,
        state: record.state,
        settledOnce: record.settledOnce,
        ...(record.lastError
          ? { error: { code: record.lastError.code, message: record.lastError.message } }
          : {}),
        ...(record.current ? { loadTimeInMs: record.current.loadTimeInMs } : {}),
      })),
    );
  }

  /** Details of one model for people and `/models`. */
  getModelInfo(name: ModelName<TModels> | (string & {})): ModelInfo {
    const record = this.record(name);
    const validated = record.validated;
    return {
      name: record.name,
      state: record.state,
      required: record.required,
      path: record.specPath,
      format: record.adapter.format ?? 'unknown',
      kind: record.adapter.kind,
      ...(validated ? { sizeInBytes: validated.sizeInBytes } : {}),
      files: (validated?.files ?? []).map((file) => {
        const checksum = record.verified.get(file.relativePath);
        return {
          path: relative(this.modelDir, file.path),
          sizeInBytes: file.sizeInBytes,
          format: file.format,
          ...(checksum ? { checksum } : {}),
        };
      }),
      verified:
        validated !== undefined &&
        validated.files.length > 0 &&
        validated.files.every((file) => record.verified.has(file.relativePath)),
      ...(record.inspection ? { inspection: record.inspection } : {}),
      ...(record.memoryEstimate === undefined
        ? {}
        : { memoryEstimateInBytes: record.memoryEstimate }),
      ...(record.current
        ? {
            loadTimeInMs: record.current.loadTimeInMs,
            loadedAt: record.current.loadedAt.toISOString(),
          }
        : {}),
      ...processInfo(record),
      attempts: record.lastAttempts,
      maxAttempts: record.attempts,
      reloading: record.reloading,
      activeLeases: record.current?.leases ?? 0,
      ...(record.lastError
        ? { lastError: { code: record.lastError.code, message: record.lastError.message } }
        : {}),
    };
  }

  /** Memory budget use: bytes reserved by loading and loaded models, and the budget. */
  getMemoryUsage(): { usedInBytes: number; budgetInBytes: number } {
    return { usedInBytes: this.memory.usedInBytes, budgetInBytes: this.memory.budgetInBytes };
  }

  /** Load slots: running, waiting and the limit. */
  getLoadQueue(): { activeCount: number; pendingCount: number; concurrency: number } {
    return {
      activeCount: this.limiter.activeCount,
      pendingCount: this.limiter.pendingCount,
      concurrency: this.limiter.concurrency,
    };
  }

  /** Aborts loads in progress, waits for leases, disposes every model. Later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const record of this.records.values()) this.cancelRestart(record);
    await Promise.all(this.modelNames.map((name) => this.unload(name)));
    await Promise.all([...this.retiring]);
    await this.ownedVerifier?.close();
  }

  private loadRecord(record: ModelRecord): Promise<unknown> {
    return this.enqueue(record, async () => {
      this.assertOpen();
      if (record.current) return record.current.model;
      return this.runLoad(record, false);
    });
  }

  private async runLoad(record: ModelRecord, reload: boolean): Promise<unknown> {
    const controller = new AbortController();
    record.loadController = controller;
    record.reloading = reload;
    const started = performance.now();
    let attempts = 0;
    this.emit('loadStart', { name: record.name, reload });
    if (!reload) this.setState(record, 'validating');
    try {
      const copy = await this.limiter(async () => {
        controller.signal.throwIfAborted();
        const validated = await validateModel(target(record, this.modelDir));
        record.validated = validated;
        const inspection = await record.adapter.inspect?.(validated.path, controller.signal);
        if (inspection) record.inspection = inspection;
        await this.verifyChecksums(record, validated, controller.signal);
        const estimate =
          (await record.adapter.estimateMemory?.(validated.path, record.options)) ??
          record.memoryEstimateInBytes ??
          0;
        record.memoryEstimate = estimate;
        const reservation = await this.memory.reserve(record.name, estimate, controller.signal);
        if (!reload) this.setState(record, 'loading');
        try {
          const model = await retryWithBackoff(
            (attempt) => {
              attempts = attempt;
              return this.attemptLoad(record, validated.path, attempt, controller.signal);
            },
            {
              attempts: record.attempts,
              backoff: this.backoff,
              signal: controller.signal,
              shouldRetry: (error) => ModelLoaderError.isInstance(error) && error.isRetryable,
              onAttemptFailed: ({ attempt, error, nextDelayInMs }) => {
                const coded = toLoaderError(error, record.name);
                this.logger.warn(
                  { model: record.name, attempt, code: coded.code, nextDelayInMs },
                  `model load attempt failed: ${coded.message}`,
                );
                this.emit('attemptFailed', {
                  name: record.name,
                  attempt,
                  error: coded,
                  nextDelayInMs,
                });
              },
            },
          );
          reservation.settle();
          const loadTimeInMs = performance.now() - started;
          return {
            model,
            reservation,
            loadedAt: new Date(),
            loadTimeInMs,
            leases: 0,
          };
        } catch (error) {
          reservation.release();
          throw error;
        }
      });
      const previous = record.current;
      record.current = copy;
      record.lastError = undefined;
      record.lastAttempts = attempts;
      record.settledOnce = true;
      if (!reload) this.setState(record, 'loaded');
      if (previous) void this.retire(record, previous);
      this.logger.info(
        { model: record.name, durationInMs: Math.round(copy.loadTimeInMs), attempts, reload },
        reload ? 'model reloaded' : 'model loaded',
      );
      this.emit('loadEnd', {
        name: record.name,
        reload,
        ok: true,
        durationInMs: copy.loadTimeInMs,
        attempts,
      });
      return copy.model;
    } catch (thrown) {
      const error = controller.signal.aborted
        ? abortedError(record.name, thrown)
        : toLoaderError(thrown, record.name);
      record.lastError = error;
      record.lastAttempts = attempts;
      record.settledOnce = true;
      if (!reload) this.setState(record, 'failed');
      if (!reload && error.code === 'MODEL_PROCESS_EXITED') this.scheduleRestart(record);
      this.logger.error(
        { model: record.name, code: error.code, attempts, reload },
        `${reload ? 'model reload' : 'model load'} failed: ${error.message}`,
      );
      this.emit('loadEnd', {
        name: record.name,
        reload,
        ok: false,
        durationInMs: performance.now() - started,
        attempts,
        error,
      });
      throw error;
    } finally {
      record.reloading = false;
      if (record.loadController === controller) record.loadController = undefined;
    }
  }

  private attemptLoad(
    record: ModelRecord,
    path: string,
    attempt: number,
    signal: AbortSignal,
  ): Promise<unknown> {
    const adapter = record.adapter;
    let loaded: { model: unknown } | undefined;
    return runWithTimeout(
      async (attemptSignal) => {
        const context: LoadContext = {
          onModelFailed: (error) => {
            if (loaded) this.onModelFailed(record, loaded.model, error);
          },
          modelName: record.name,
          signal: attemptSignal,
          attempt,
          logger: this.logger,
          onProgress: (progress) => this.emit('progress', { name: record.name, ...progress }),
        };
        try {
          const model = await adapter.load(path, record.options, context);
          loaded = { model };
          return model;
        } catch (error) {
          throw toLoaderError(error, record.name);
        }
      },
      {
        modelName: record.name,
        signal,
        ...(record.loadTimeoutInMs === undefined
          ? {}
          : { loadTimeoutInMs: record.loadTimeoutInMs }),
        onLateResult: (model) => {
          this.logger.warn(
            { model: record.name },
            'a load finished after its timeout; disposing that copy',
          );
          void this.disposeModel(record, model);
        },
      },
    );
  }

  private async verifyChecksums(
    record: ModelRecord,
    validated: ValidatedModel,
    signal: AbortSignal,
  ): Promise<void> {
    record.verified = new Map();
    if (!this.validateChecksums) return;
    const expected =
      record.checksums.size > 0 ? record.checksums : await this.lockedChecksums(record, validated);
    const unpinned = validated.files.filter((file) => !expected.has(file.relativePath));
    if (unpinned.length > 0) {
      this.logger.warn(
        { model: record.name, files: unpinned.map((file) => relative(this.modelDir, file.path)) },
        `Model '${record.name}' runs unverified: no checksum pins ${unpinned.length === validated.files.length ? 'its files' : 'some of its files'}`,
      );
    }
    await Promise.all(
      [...expected].map(async ([relativePath, checksum]) => {
        const path =
          relativePath === '.'
            ? validated.path
            : await resolveModelPath(
                this.modelDir,
                join(validated.path, relativePath),
                record.name,
              );
        const size =
          validated.files.find((file) => file.path === path)?.sizeInBytes ??
          (await validateModel({ ...target(record, this.modelDir), specPath: path, kind: 'file' }))
            .sizeInBytes;
        const started = performance.now();
        const result = await verifyChecksum(this.checksumVerifier, path, checksum, {
          signal,
          modelName: record.name,
          onProgress: (done) =>
            this.emit('progress', { name: record.name, step: 'checksum', done, total: size }),
        });
        record.verified.set(relativePath, result);
        this.emit('checksumVerified', {
          name: record.name,
          file: relativePath,
          algorithm: result.algorithm,
          sizeInBytes: size,
          durationInMs: performance.now() - started,
          source: result.source,
        });
      }),
    );
  }

  /** Checksums the lock file pins for the model's files (none without a lock file). */
  private async lockedChecksums(
    record: ModelRecord,
    validated: ValidatedModel,
  ): Promise<Map<string, ExpectedChecksum>> {
    if (this.lockSource === undefined) return new Map();
    const files = validated.files.map((file) => ({
      relativePath: file.relativePath,
      pathInModelDir: relative(this.modelDir, file.path),
    }));
    return lockedChecksumsFor(await this.lockSource.read(), files, {
      modelName: record.name,
      allowUnpinned: record.allowUnpinned,
    });
  }

  private async retire(record: ModelRecord, copy: LoadedCopy): Promise<void> {
    const done = (async () => {
      if (copy.leases > 0)
        await new Promise<void>((resolveDrain) => (copy.onDrained = resolveDrain));
      await this.disposeModel(record, copy.model);
      copy.reservation.release();
    })();
    this.retiring.add(done);
    try {
      await done;
    } finally {
      this.retiring.delete(done);
    }
  }

  private async disposeModel(record: ModelRecord, model: unknown): Promise<void> {
    try {
      await record.adapter.dispose?.(model);
    } catch (error) {
      this.logger.error({ model: record.name, err: error }, 'disposing a model failed');
    }
  }

  /** A loaded copy stopped working (its process died): fail the model, dispose, maybe restart. */
  private onModelFailed(record: ModelRecord, model: unknown, error: ModelLoaderError): void {
    const copy = record.current;
    if (this.closed || !copy || copy.model !== model) return;
    record.current = undefined;
    record.lastError = error;
    record.lastExit = { code: error.code, message: error.message, at: new Date().toISOString() };
    this.setState(record, 'failed');
    this.logger.error({ model: record.name, code: error.code }, error.message);
    void this.retire(record, copy);
    this.scheduleRestart(record);
  }

  /** Starts the model again after the backoff delay, while the restart budget allows. */
  private scheduleRestart(record: ModelRecord): void {
    if (this.closed || record.restartTimer) return;
    if (record.lastError?.code === 'MODEL_PROCESS_EXITED') {
      record.lastExit = {
        code: record.lastError.code,
        message: record.lastError.message,
        at: new Date().toISOString(),
      };
    }
    const delay = record.restarts.next();
    if (delay === undefined) {
      this.logger.error(
        { model: record.name, restarts: record.restarts.inWindow },
        'model process restart limit reached; the model stays failed until it is reloaded',
      );
      return;
    }
    this.logger.warn({ model: record.name, delayInMs: delay }, 'restarting the model process');
    record.restartTimer = setTimeout(() => {
      record.restartTimer = undefined;
      // Validation and checksum run again: an overwritten file is caught before a process starts.
      void this.enqueue(record, async () => {
        if (this.closed || record.state !== 'failed' || record.current) return;
        await this.runLoad(record, false);
      }).catch(() => {});
    }, delay);
    record.restartTimer.unref();
  }

  private cancelRestart(record: ModelRecord): void {
    if (record.restartTimer) clearTimeout(record.restartTimer);
    record.restartTimer = undefined;
  }

  private setState(record: ModelRecord, to: ModelState): void {
    const from = record.state;
    if (from === to) return;
    if (!canTransition(from, to)) {
      this.logger.error({ model: record.name, from, to }, 'invalid model state transition');
    }
    record.state = to;
    this.emit('stateChange', { name: record.name, from, to });
  }

  private enqueue<T>(record: ModelRecord, operation: () => Promise<T>): Promise<T> {
    const run = record.queue.then(operation, operation);
    record.queue = run.catch(() => undefined);
    return run;
  }

  private record(name: string): ModelRecord {
    const record = this.records.get(name);
    if (!record) {
      const known = this.modelNames;
      throw new ModelLoaderError(
        'MODEL_NOT_REGISTERED',
        `Model '${name}' is not registered. Registered models: ${known.length ? known.join(', ') : '(none)'}`,
        { modelName: name },
      );
    }
    return record;
  }

  private notAvailable(record: ModelRecord): ModelLoaderError {
    const cause =
      record.lastError?.code === 'MODEL_LOAD_FAILED' && record.lastError.cause
        ? record.lastError.cause
        : record.lastError;
    return new ModelLoaderError(
      'MODEL_NOT_AVAILABLE',
      `Model '${record.name}' is not available (status: ${record.state}).` +
        (record.lastError ? `\nLoading failed with: ${describeError(cause)}` : ''),
      { modelName: record.name, ...(record.lastError ? { cause: record.lastError } : {}) },
    );
  }

  private result(record: ModelRecord, started: number, error?: ModelLoaderError): ModelLoadResult {
    return {
      name: record.name,
      ok: error === undefined,
      state: record.state,
      durationInMs: performance.now() - started,
      attempts: record.lastAttempts,
      ...(error ? { error } : {}),
    };
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new ModelLoaderError('MODEL_LOAD_ABORTED', 'The model loader is closed');
    }
  }
}

function target(record: ModelRecord, modelDir: string): ValidationTarget {
  return {
    modelName: record.name,
    modelDir,
    specPath: record.specPath,
    kind: record.adapter.kind,
    ...(record.adapter.format ? { format: record.adapter.format } : {}),
    ...(record.adapter.requiredFiles ? { requiredFiles: record.adapter.requiredFiles } : {}),
  };
}

function toAdapter<TModel, TOptions>(
  loader: ModelSpec<string, TModel, TOptions>['adapter'] | undefined,
): ModelAdapter<TModel, TOptions> | undefined {
  if (typeof loader === 'function') return { kind: 'file', load: loader };
  if (loader && isModelAdapter(loader) && (loader.kind === 'file' || loader.kind === 'directory'))
    return loader;
  return undefined;
}

function parseSpecChecksums(
  checksum: ModelSpec<string, unknown, unknown>['checksum'],
  kind: 'file' | 'directory',
  modelName: string,
): Map<string, ExpectedChecksum> {
  const checksums = new Map<string, ExpectedChecksum>();
  if (checksum === undefined) return checksums;
  const isSingle =
    typeof checksum === 'string' || ('algorithm' in checksum && 'expected' in checksum);
  if (isSingle) {
    if (kind === 'directory') {
      throw new ModelLoaderError(
        'CHECKSUM_INVALID',
        `Invalid checksum for model '${modelName}': a directory model takes a record of file path -> checksum`,
        { modelName },
      );
    }
    checksums.set('.', parseChecksum(checksum as Parameters<typeof parseChecksum>[0], modelName));
    return checksums;
  }
  for (const [file, value] of Object.entries(checksum)) {
    checksums.set(file, parseChecksum(value, modelName));
  }
  return checksums;
}

function toLoaderError(error: unknown, modelName: string): ModelLoaderError {
  if (ModelLoaderError.isInstance(error)) return error;
  return new ModelLoaderError(
    'MODEL_LOAD_FAILED',
    `Failed to load model '${modelName}': ${describeError(error)}`,
    {
      modelName,
      cause: error,
    },
  );
}

function abortedError(modelName: string, thrown: unknown): ModelLoaderError {
  if (ModelLoaderError.hasCode(thrown, 'MODEL_LOAD_ABORTED')) return thrown;
  return new ModelLoaderError('MODEL_LOAD_ABORTED', `Loading model '${modelName}' was aborted`, {
    modelName,
    cause: thrown,
  });
}

function checkIsolation(value: unknown, field: string): IsolationMode {
  if (value === 'process' || value === 'none') return value;
  throw new ModelLoaderError('CONFIG_INVALID', `${field} must be 'process' or 'none'`);
}

function processInfo(
  record: ModelRecord,
): Pick<ModelInfo, 'isolation' | 'restarts' | 'lastExit' | 'process'> {
  const running = remoteProcessInfo(record.current?.model);
  return {
    isolation: record.isolation,
    restarts: record.restarts.total,
    ...(record.lastExit ? { lastExit: record.lastExit } : {}),
    ...(running ? { process: { pid: running.pid, rssInBytes: running.rssInBytes } } : {}),
  };
}
