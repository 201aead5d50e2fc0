import { ModelLoaderError } from './errors/model-loader-error.js';
import type { ModelLoaderEvents } from './events/model-loader-events.js';
import { TypedEmitter } from './events/typed-emitter.js';
import { computeHealth, type HealthStatus } from './health/health-status.js';
import type { IsolationMode } from './isolation/model-process-entry.js';
import { canTransition } from './lifecycle/model-state.js';
import { RestartBudget } from './lifecycle/restart-budget.js';
import { createRegistration } from './loader/create-registration.js';
import { describeModel, healthInput } from './loader/describe-model.js';
import { checkOnDemandModel } from './loader/load-pipeline.js';
import type { LoadedCopy } from './loader/loaded-copy.js';
import { closedError, toLoaderError } from './loader/loader-errors.js';
import type { LoaderRuntime } from './loader/loader-runtime.js';
import { type LoaderSettings, resolveLoaderSettings } from './loader/loader-settings.js';
import { ModelScheduler } from './loader/model-scheduler.js';
import { RegisteredModel } from './loader/registered-model.js';
import { failServingCopy, loadSupervised } from './loader/restart-supervisor.js';
import type {
  ModelLoadResult,
  ModelName,
  ModelOf,
  ServedModel,
} from './loader/served-model-types.js';
import type { ModelInfo } from './model-info.js';
import type { LoadAllOptions, ModelLoaderOptions, UseOptions } from './model-loader-options.js';
import type { ModelRegistry } from './model-registry.js';
import { parseKeepAliveInMs } from './models-file/keep-alive.js';
import { createConcurrencyLimiter } from './scheduler/concurrency-limiter.js';
import { MemoryBudget } from './scheduler/memory-budget.js';
import { silentLogger } from './spec/logger.js';
import type { ModelSpec } from './spec/model-spec.js';

export type {
  ModelLoadResult,
  ModelName,
  ModelOf,
  ServedModel,
} from './loader/served-model-types.js';

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
  private readonly settings: LoaderSettings;
  private readonly models = new Map<string, RegisteredModel>();
  private readonly runtime: LoaderRuntime;
  private readonly retiring = new Set<Promise<void>>();
  private readonly scheduler: ModelScheduler;
  private closed = false;

  constructor(options: ModelLoaderOptions<TDefaultIsolation>) {
    super(options.logger ?? silentLogger);
    this.settings = resolveLoaderSettings(options);
    this.modelDir = this.settings.modelDir;
    this.runtime = {
      settings: this.settings,
      limiter: createConcurrencyLimiter(this.settings.loadConcurrency),
      memory: new MemoryBudget(this.settings.memoryBudgetInBytes),
      emit: (event, payload) => this.emit(event, payload),
      isClosed: () => this.closed,
      retire: (model, copy) => this.retire(model, copy),
      dispose: (model, handle) => this.dispose(model, handle),
      onCopyFailed: (model, handle, error) => failServingCopy(this.runtime, model, handle, error),
      reserve: (model, sizeInBytes, signal) => this.scheduler.reserve(model, sizeInBytes, signal),
      serving: (model, copy) => this.scheduler.attach(model, copy),
    };
    this.scheduler = new ModelScheduler(
      this.runtime,
      () => this.models.values(),
      options.leaseWaitInMs ?? 30_000,
    );
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
    if (typeof spec?.name === 'string' && this.models.has(spec.name)) {
      throw new ModelLoaderError(
        'MODEL_ALREADY_REGISTERED',
        `Model '${spec.name}' is already registered`,
        { modelName: spec.name },
      );
    }
    const registration = createRegistration(
      spec as unknown as Parameters<typeof createRegistration>[0],
      this.settings,
    );
    const model = new RegisteredModel(
      registration,
      new RestartBudget(this.settings.processes, this.settings.backoff),
      (name, from, to) => {
        if (!canTransition(from, to)) {
          this.settings.logger.error({ model: name, from, to }, 'invalid model state transition');
        }
        this.emit('stateChange', { name, from, to });
      },
    );
    this.models.set(registration.name, model);
    this.settings.logger.debug(
      { model: registration.name, path: registration.specPath, required: registration.required },
      'model registered',
    );
    return this as unknown as ModelLoader<
      TModels & { [K in TName]: ServedModel<TModel, TSpecIsolation, TDefaultIsolation> },
      TDefaultIsolation
    >;
  }

  /** Names of the registered models, in registration order. */
  get modelNames(): string[] {
    return [...this.models.keys()];
  }

  /** True when a model of this name is registered. */
  has(name: string): boolean {
    return this.models.has(name);
  }

  /**
   * Loads every registered model, required ones first; an on-demand model is only checked (files,
   * checksums, estimate) and goes `idle`. Never throws for a model's failure: the result (and
   * health) says which failed and why.
   * @throws ModelLoaderError CONFIG_INVALID for a `concurrency` above the loader's `loadConcurrency`
   */
  async loadAll(options: LoadAllOptions = {}): Promise<Record<string, ModelLoadResult>> {
    const most = this.settings.loadConcurrency;
    const concurrency = options.concurrency ?? most;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > most) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `\`concurrency\` must be an integer from 1 to the loader's \`loadConcurrency\` (${most}), got ${concurrency}`,
      );
    }
    const limit = createConcurrencyLimiter((options.parallel ?? true) ? concurrency : 1);
    const ordered = [...this.models.values()].sort(
      (a, b) => Number(b.registration.required) - Number(a.registration.required),
    );
    const results = await Promise.all(
      ordered.map((model) =>
        limit(async (): Promise<ModelLoadResult> => {
          const started = performance.now();
          try {
            if (model.registration.load === 'on-demand' && !model.current) {
              await model.enqueue(() => checkOnDemandModel(this.runtime, model));
            } else {
              await this.loadModel(model);
            }
            return loadResult(model, started);
          } catch (error) {
            return loadResult(model, started, toLoaderError(error, model.name));
          }
        }),
      ),
    );
    const byName = new Map(results.map((result) => [result.name, result]));
    return Object.fromEntries(this.modelNames.map((name) => [name, byName.get(name)!]));
  }

  /**
   * Loads one model (no-op when loaded) and returns it.
   * @throws ModelLoaderError the load's error, with a stable code
   */
  load<TName extends ModelName<TModels>>(name: TName): Promise<ModelOf<TModels, TName>> {
    const model = this.model(name);
    model.cancelRestart();
    model.restarts.reset();
    return this.loadModel(model) as Promise<ModelOf<TModels, TName>>;
  }

  /**
   * Hot swap: loads a new copy while the current one keeps serving, then switches and disposes the
   * old copy once its leases end. On failure the old copy stays and the error is returned. The lock
   * file, when configured, is read again.
   */
  reload<TName extends ModelName<TModels>>(name: TName): Promise<ModelOf<TModels, TName>> {
    const model = this.model(name);
    model.cancelRestart();
    model.restarts.reset();
    return model.enqueue(async () => {
      this.assertOpen();
      this.settings.lockSource?.refresh();
      return loadSupervised(this.runtime, model, model.current !== undefined);
    }) as Promise<ModelOf<TModels, TName>>;
  }

  /** Unloads a model: aborts a load in progress, waits for leases, disposes. No-op when not loaded. */
  unload(name: ModelName<TModels> | (string & {})): Promise<void> {
    const model = this.model(name);
    model.cancelRestart();
    model.loadController?.abort(new Error('unloaded'));
    return model.enqueue(async () => {
      model.loadController?.abort(new Error('unloaded'));
      const copy = model.current;
      model.settledOnce = true;
      if (model.state !== 'unloaded') model.setState('unloaded');
      if (!copy) return;
      model.current = undefined;
      await this.retire(model, copy);
    });
  }

  /**
   * The loaded model. Does not hold it: use `use` around calls that must not see it disposed.
   * @throws ModelLoaderError MODEL_NOT_REGISTERED, MODEL_NOT_AVAILABLE (with the load error)
   */
  get<TName extends ModelName<TModels>>(name: TName): ModelOf<TModels, TName> {
    const model = this.model(name);
    if (model.current) return model.current.model as ModelOf<TModels, TName>;
    throw model.notAvailable();
  }

  /**
   * Throws what `use` would throw at once for a model that neither serves nor loads on demand.
   * @throws ModelLoaderError MODEL_NOT_REGISTERED, MODEL_NOT_AVAILABLE
   */
  assertServable(name: ModelName<TModels> | (string & {})): void {
    const model = this.model(name);
    if (!model.current && !this.loadsOnDemand(model)) throw model.notAvailable();
  }

  /**
   * Runs `fn` with the loaded model under a lease: an unload, reload or eviction waits for `fn`
   * to finish before disposing this copy. An idle model (on-demand, or unloaded by keep-alive or
   * eviction) and a failed on-demand model are loaded first; concurrent callers share that load
   * and each gets its error. `keepAlive` replaces the model's keep-alive from the end of this call.
   * @throws ModelLoaderError MODEL_NOT_REGISTERED, MODEL_NOT_AVAILABLE, the load's error, or what `fn` throws
   */
  async use<TName extends ModelName<TModels>, TResult>(
    name: TName,
    fn: (model: ModelOf<TModels, TName>) => Promise<TResult> | TResult,
    options: UseOptions = {},
  ): Promise<TResult> {
    const model = this.model(name);
    const keepAliveInMs =
      options.keepAlive === undefined ? undefined : parseKeepAliveInMs(options.keepAlive, name);
    // Waiting callers pin the model: nothing evicts the copy between its load and their lease.
    model.waiting++;
    let copy: LoadedCopy | undefined;
    try {
      for (let tries = 0; !model.current && tries < 3 && this.loadsOnDemand(model); tries++) {
        await this.loadOnDemand(model);
      }
      copy = model.current;
    } finally {
      model.waiting--;
    }
    if (!copy) throw model.notAvailable();
    // `lease` counts itself synchronously, before anything else can run.
    return copy.lease((handle) => fn(handle as ModelOf<TModels, TName>), keepAliveInMs);
  }

  /**
   * Health of the service: unhealthy when a required model failed, degraded when an optional one
   * did, loading until every model settled once, else healthy.
   */
  getHealthStatus(): HealthStatus {
    return computeHealth([...this.models.values()].map(healthInput));
  }

  /** Details of one model for people and `/models`. */
  getModelInfo(name: ModelName<TModels> | (string & {})): ModelInfo {
    return describeModel(this.model(name), this.modelDir);
  }

  /** Memory budget use: bytes reserved by loading and loaded models, and the budget. */
  getMemoryUsage(): { usedInBytes: number; budgetInBytes: number } {
    const { memory } = this.runtime;
    return { usedInBytes: memory.usedInBytes, budgetInBytes: memory.budgetInBytes };
  }

  /** Aborts loads in progress, waits for leases, disposes every model. Later calls are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const model of this.models.values()) model.cancelRestart();
    await Promise.all(this.modelNames.map((name) => this.unload(name)));
    await Promise.all([...this.retiring]);
    await this.settings.ownedVerifier?.close();
  }

  private loadsOnDemand(model: RegisteredModel): boolean {
    if (this.closed) return false;
    if (model.state === 'idle' || model.pendingLoad) return true;
    return model.registration.load === 'on-demand' && model.state === 'failed';
  }

  /** One shared load for every caller waiting on this model; a failure reaches each of them. */
  private loadOnDemand(model: RegisteredModel): Promise<unknown> {
    if (!model.pendingLoad) {
      this.scheduler.loadingOnDemand(model);
      model.pendingLoad = this.loadModel(model).finally(() => {
        model.pendingLoad = undefined;
      });
    }
    return model.pendingLoad;
  }

  private loadModel(model: RegisteredModel): Promise<unknown> {
    return model.enqueue(async () => {
      this.assertOpen();
      if (model.current) return model.current.model;
      return loadSupervised(this.runtime, model, false);
    });
  }

  private async retire(model: RegisteredModel, copy: LoadedCopy): Promise<void> {
    const done = copy.retire((handle) => this.dispose(model, handle));
    this.retiring.add(done);
    try {
      await done;
    } finally {
      this.retiring.delete(done);
    }
  }

  private async dispose(model: RegisteredModel, handle: unknown): Promise<void> {
    try {
      await model.adapter.dispose?.(handle);
    } catch (error) {
      this.settings.logger.error({ model: model.name, err: error }, 'disposing a model failed');
    }
  }

  private model(name: string): RegisteredModel {
    const model = this.models.get(name);
    if (model) return model;
    const known = this.modelNames;
    throw new ModelLoaderError(
      'MODEL_NOT_REGISTERED',
      `Model '${name}' is not registered. Registered models: ${known.length ? known.join(', ') : '(none)'}`,
      { modelName: name },
    );
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }
}

function loadResult(
  model: RegisteredModel,
  started: number,
  error?: ModelLoaderError,
): ModelLoadResult {
  return {
    name: model.name,
    ok: error === undefined,
    state: model.state,
    durationInMs: performance.now() - started,
    attempts: model.lastAttempts,
    ...(error ? { error } : {}),
  };
}
