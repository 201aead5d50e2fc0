import type { ModelLoader, ModelName, ModelOf, ModelRegistry } from '@model-loader/core';
import type { Registry } from 'prom-client';
import type { RunFunction, RunOptions } from './limits/run-with-limits.js';

/** Counters of one model's limiter. */
export interface ModelRequestStats {
  readonly activeCount: number;
  readonly pendingCount: number;
  readonly concurrency: number;
  readonly maxQueue: number;
}

/**
 * Augment this interface in an app to type `app.models.run` from the registration: with
 * `loader` the model of each name comes from the `ModelLoader`'s registered models, with `models`
 * from a map of name to model (for a models file, whose names are only known at run time).
 *
 * @example
 * declare module '@model-loader/fastify' {
 *   interface ModelLoaderRegister {
 *     models: Record<string, Remote<GgufModelHandle>>;
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the app's module augmentation
export interface ModelLoaderRegister {}

/** The registered models of a `ModelLoader` type: name -> what `use` and `run` hand to `fn`. */
export type ModelsOfLoader<TLoader> =
  // biome-ignore lint/suspicious/noExplicitAny: matches a loader of any default isolation
  TLoader extends ModelLoader<infer TModels, any> ? TModels : Record<string, unknown>;

/** The models `app.models.run` knows, from {@link ModelLoaderRegister}; any name to `unknown` without it. */
export type RegisteredModels = ModelLoaderRegister extends { readonly models: infer TModels }
  ? TModels
  : ModelLoaderRegister extends { readonly loader: infer TLoader }
    ? ModelsOfLoader<TLoader>
    : Record<string, unknown>;

/** `app.models`: the loader plus the server's limits, readiness and shutdown state. */
export interface FastifyModels<TModels = RegisteredModels> {
  /** The loader given to the plugin. */
  readonly loader: ModelRegistry;
  /**
   * Runs `fn` with a loaded model under the model's concurrency limit and bounded queue, holding a
   * lease so the model is not disposed under it. `fn`'s signal aborts on timeout and when
   * `options.signal` aborts (pass `disconnectSignal(reply)`). `fn`'s model has the type registered
   * for `name` (see {@link ModelLoaderRegister}).
   * @throws ModelLoaderError MODEL_NOT_REGISTERED (404), MODEL_NOT_AVAILABLE (503)
   * @throws HttpError MODEL_BUSY (503 + Retry-After), REQUEST_TIMEOUT (504), SHUTTING_DOWN (503)
   */
  run<TName extends ModelName<TModels>, TResult>(
    name: TName,
    fn: RunFunction<ModelOf<TModels, TName>, TResult>,
    options?: RunOptions,
  ): Promise<TResult>;
  /** True when every required model is loaded and the server is not shutting down. */
  readonly ready: boolean;
  /** True once shutdown began: readiness is false and `run` refuses new calls. */
  readonly shuttingDown: boolean;
  /**
   * Starts shutting down: readiness answers 503 at once, `run` refuses new calls, loads in
   * progress are aborted. Calls already accepted finish; `app.close()` then disposes the models.
   */
  beginShutdown(): void;
  /** Loads every model (the plugin calls it after `listen`); never rejects. Same promise each call. */
  loadInBackground(): Promise<void>;
  /** Limiter counters of one model. */
  requestStats(name: string): ModelRequestStats;
  /** The app's Prometheus registry (undefined when metrics are off); add your own metrics to it. */
  readonly metricsRegistry: Registry | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Models, limits and readiness of `@model-loader/fastify`. */
    models: FastifyModels;
  }
}
