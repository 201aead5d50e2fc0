import { describeError, ModelLoaderError } from '../errors/model-loader-error.js';

/** A coded error for anything a load threw: coded errors pass, the rest become MODEL_LOAD_FAILED. */
export function toLoaderError(error: unknown, modelName: string): ModelLoaderError {
  if (ModelLoaderError.isInstance(error)) return error;
  return new ModelLoaderError(
    'MODEL_LOAD_FAILED',
    `Failed to load model '${modelName}': ${describeError(error)}`,
    { modelName, cause: error },
  );
}

/** MODEL_LOAD_ABORTED for a load whose signal was aborted, keeping what it threw as the cause. */
export function abortedError(modelName: string, thrown: unknown): ModelLoaderError {
  if (ModelLoaderError.hasCode(thrown, 'MODEL_LOAD_ABORTED')) return thrown;
  return new ModelLoaderError('MODEL_LOAD_ABORTED', `Loading model '${modelName}' was aborted`, {
    modelName,
    cause: thrown,
  });
}

/** MODEL_LOAD_ABORTED for any call on a closed loader. */
export function closedError(): ModelLoaderError {
  return new ModelLoaderError('MODEL_LOAD_ABORTED', 'The model loader is closed');
}
