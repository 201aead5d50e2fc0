import { ModelLoaderError } from '../errors/model-loader-error.js';
import { fileSystemError } from '../validation/resolve-model-path.js';
import type { SerializedFileError } from './hash-worker-protocol.js';

/**
 * Maps a node:fs error met while hashing `path` to the engine's codes: not found, not readable,
 * not a regular file (a directory). Other errors keep the engine's generic wording.
 */
export function hashFileError(error: unknown, path: string): ModelLoaderError {
  if (ModelLoaderError.isInstance(error)) return error;
  const code = (error as SerializedFileError | undefined)?.code;
  if (code === 'EISDIR') {
    return new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model path is not a regular file: ${path}`,
      {
        path,
        cause: error,
      },
    );
  }
  return fileSystemError(error, path, path);
}
