import { ModelLoaderError } from '../errors/model-loader-error.js';
import { loadCopy } from './load-pipeline.js';
import type { LoaderRuntime } from './loader-runtime.js';
import type { RegisteredModel } from './registered-model.js';

/**
 * Loads a copy; a first load whose process died is started again by `scheduleRestart`.
 * @throws ModelLoaderError the load's error
 */
export async function loadSupervised(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  reload: boolean,
): Promise<unknown> {
  try {
    return await loadCopy(runtime, model, reload);
  } catch (error) {
    if (!reload && ModelLoaderError.hasCode(error, 'MODEL_PROCESS_EXITED')) {
      scheduleRestart(runtime, model);
    }
    throw error;
  }
}

/** The serving copy stopped working (its process died): fail the model, dispose, maybe restart. */
export function failServingCopy(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  handle: unknown,
  error: ModelLoaderError,
): void {
  const copy = model.current;
  if (runtime.isClosed() || !copy || copy.model !== handle) return;
  model.current = undefined;
  model.lastError = error;
  model.lastExit = { code: error.code, message: error.message, at: new Date().toISOString() };
  model.setState('failed');
  runtime.settings.logger.error({ model: model.name, code: error.code }, error.message);
  void runtime.retire(model, copy);
  scheduleRestart(runtime, model);
}

/** Starts the model again after the backoff delay, while the restart budget allows. */
function scheduleRestart(runtime: LoaderRuntime, model: RegisteredModel): void {
  const { logger } = runtime.settings;
  if (runtime.isClosed() || model.restartTimer) return;
  if (model.lastError?.code === 'MODEL_PROCESS_EXITED') {
    model.lastExit = {
      code: model.lastError.code,
      message: model.lastError.message,
      at: new Date().toISOString(),
    };
  }
  const delay = model.restarts.next();
  if (delay === undefined) {
    logger.error(
      { model: model.name, restarts: model.restarts.inWindow },
      'model process restart limit reached; the model stays failed until it is reloaded',
    );
    return;
  }
  logger.warn({ model: model.name, delayInMs: delay }, 'restarting the model process');
  model.restartTimer = setTimeout(() => {
    model.restartTimer = undefined;
    // Validation and checksum run again: an overwritten file is caught before a process starts.
    void model
      .enqueue(async () => {
        if (runtime.isClosed() || model.state !== 'failed' || model.current) return;
        await loadSupervised(runtime, model, false);
      })
      .catch(() => {});
  }, delay);
  model.restartTimer.unref();
}
