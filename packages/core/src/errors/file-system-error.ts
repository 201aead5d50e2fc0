import { ModelLoaderError } from './model-loader-error.js';

/**
 * The one mapper of node:fs errors (errno codes) met on a model file to the engine's codes:
 * ENOENT/ENOTDIR/ELOOP -> MODEL_FILE_NOT_FOUND, EACCES/EPERM -> MODEL_FILE_NOT_READABLE,
 * EISDIR -> MODEL_FILE_NOT_REGULAR, anything else -> MODEL_LOAD_FAILED (retryable: EIO, EMFILE
 * and the like can pass). A `ModelLoaderError` is returned unchanged.
 * @param shownPath the path as the message shows it: relative to the model directory or a base
 *   name, never an absolute path that could reach an HTTP client
 * @param path the absolute path, kept in the error's `path` field
 * @param modelDir the model directory that was searched, named by MODEL_FILE_NOT_FOUND so the
 *   operator sees where the file was expected (the HTTP layer scrubs it to `.`)
 */
export function fileSystemError(
  error: unknown,
  shownPath: string,
  path: string,
  modelName?: string,
  modelDir?: string,
): ModelLoaderError {
  if (ModelLoaderError.isInstance(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const fields = { path, cause: error, ...(modelName === undefined ? {} : { modelName }) };
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') {
    return new ModelLoaderError(
      'MODEL_FILE_NOT_FOUND',
      `Model file not found: ${shownPath}${modelDir === undefined ? '' : ` (searched the model directory ${modelDir})`}`,
      fields,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ModelLoaderError(
      'MODEL_FILE_NOT_READABLE',
      `Model file is not readable (permission denied): ${shownPath}`,
      fields,
    );
  }
  if (code === 'EISDIR') {
    return new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model path is not a regular file: ${shownPath}`,
      fields,
    );
  }
  const reason = (error as Error | undefined)?.message ?? String(error);
  return new ModelLoaderError(
    'MODEL_LOAD_FAILED',
    `Cannot access model file ${shownPath}: ${reason}`,
    { ...fields, isRetryable: true },
  );
}
