import { fileSystemError } from '../errors/file-system-error.js';
import type { ModelLoaderError } from '../errors/model-loader-error.js';

/**
 * Maps a node:fs error met while hashing `path` to the engine's codes: not found, not readable,
 * not a regular file (a directory). Other errors keep the engine's generic wording.
 */
export function hashFileError(error: unknown, path: string): ModelLoaderError {
  return fileSystemError(error, path, path);
}
