import type { ModelState } from '../lifecycle/model-state.js';

/** Overall status: the seed's three levels plus `loading` while a required model has not loaded yet. */
export type OverallStatus = 'healthy' | 'degraded' | 'unhealthy' | 'loading';

/** What health needs to know of one model. */
export interface ModelHealthInput {
  readonly name: string;
  readonly required: boolean;
  readonly state: ModelState;
  /** True once the model's first load has ended, successfully or not. */
  readonly settledOnce: boolean;
  readonly error?: { readonly code: string; readonly message: string };
  readonly loadTimeInMs?: number;
}

/** The health report (camelCase; see `toHealthWire` for the seed's snake_case). */
export interface HealthStatus {
  readonly status: OverallStatus;
  readonly message: string;
  /** Model name -> currently loaded. */
  readonly modelsLoaded: Readonly<Record<string, boolean>>;
  readonly loadedCount: number;
  readonly totalCount: number;
  /** Model name -> last load error. */
  readonly errors: Readonly<Record<string, { readonly code: string; readonly message: string }>>;
  /** Model name -> duration of its last successful load. */
  readonly loadTimesInMs: Readonly<Record<string, number>>;
}

/**
 * The seed's rule: healthy when every model is loaded (or idle: checked and loaded on demand);
 * degraded when every required model is ready but an optional one is not; unhealthy when a required model failed (or was unloaded). `loading`
 * while a required model has not finished its first load and none has failed.
 */
export function computeHealth(models: readonly ModelHealthInput[]): HealthStatus {
  const loaded = models.filter((model) => model.state === 'loaded');
  const requiredDown = models.filter(
    (model) => model.required && !isReady(model.state) && model.settledOnce,
  );
  const requiredWaiting = models.filter(
    (model) => model.required && !isReady(model.state) && !model.settledOnce,
  );
  const optionalDown = models.filter((model) => !model.required && !isReady(model.state));

  let status: OverallStatus;
  let message: string;
  if (requiredDown.length > 0) {
    status = 'unhealthy';
    message = `Required models not loaded: ${names(requiredDown)}`;
  } else if (requiredWaiting.length > 0) {
    status = 'loading';
    message = `Loading required models: ${names(requiredWaiting)}`;
  } else if (optionalDown.length > 0) {
    status = 'degraded';
    message = `All required models loaded; optional models not loaded: ${names(optionalDown)}`;
  } else {
    status = 'healthy';
    message = 'All models loaded successfully';
  }
  return {
    status,
    message,
    modelsLoaded: Object.fromEntries(models.map((model) => [model.name, model.state === 'loaded'])),
    loadedCount: loaded.length,
    totalCount: models.length,
    errors: Object.fromEntries(
      models
        .filter((model) => model.error && !isReady(model.state))
        .map((model) => [model.name, model.error!]),
    ),
    loadTimesInMs: Object.fromEntries(
      models
        .filter((model) => model.loadTimeInMs !== undefined)
        .map((model) => [model.name, model.loadTimeInMs!]),
    ),
  };
}

/**
 * A model that serves now (`loaded`) or on its next request (`idle`: checked, loaded on demand).
 */
export function isReady(state: ModelState): boolean {
  return state === 'loaded' || state === 'idle';
}

function names(models: readonly ModelHealthInput[]): string {
  return models.map((model) => model.name).join(', ');
}

/** The seed's wire format (snake_case), as served on `GET /health`. */
export interface HealthWire {
  status: OverallStatus;
  message: string;
  models_loaded: Record<string, boolean>;
  loaded_count: number;
  total_count: number;
  errors: Record<string, string>;
}

/** Converts a report to the seed's wire format; errors become `"CODE: message"` strings as the seed had strings. */
export function toHealthWire(health: HealthStatus): HealthWire {
  return {
    status: health.status,
    message: health.message,
    models_loaded: { ...health.modelsLoaded },
    loaded_count: health.loadedCount,
    total_count: health.totalCount,
    errors: Object.fromEntries(
      Object.entries(health.errors).map(([name, error]) => [
        name,
        `${error.code}: ${error.message}`,
      ]),
    ),
  };
}
