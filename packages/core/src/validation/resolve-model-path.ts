import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileSystemError } from '../errors/file-system-error.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';

/** True when `child` is `root` or lies below it (both absolute, normalised). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** How a path is shown in messages: relative to the model directory when inside it. */
export function displayPath(modelDir: string, path: string): string {
  return isInside(modelDir, path) ? relative(modelDir, path) || '.' : path;
}

function outsideRoot(
  specPath: string,
  modelName: string | undefined,
  path: string,
): ModelLoaderError {
  return new ModelLoaderError(
    'MODEL_PATH_OUTSIDE_ROOT',
    `Model path is outside the model directory: ${specPath}`,
    { path, ...(modelName === undefined ? {} : { modelName }) },
  );
}

/**
 * Resolves a spec path against the model directory and proves it stays inside, both as written and
 * after following symlinks. Returns the real path.
 * @throws ModelLoaderError MODEL_PATH_OUTSIDE_ROOT, MODEL_FILE_NOT_FOUND, MODEL_FILE_NOT_READABLE
 */
export async function resolveModelPath(
  modelDirRealPath: string,
  specPath: string,
  modelName?: string,
): Promise<string> {
  if (specPath.includes('\0')) throw outsideRoot(JSON.stringify(specPath), modelName, specPath);
  const lexical = resolve(modelDirRealPath, specPath);
  if (!isInside(modelDirRealPath, lexical)) throw outsideRoot(specPath, modelName, lexical);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    throw fileSystemError(
      error,
      displayPath(modelDirRealPath, lexical),
      lexical,
      modelName,
      modelDirRealPath,
    );
  }
  if (!isInside(modelDirRealPath, real)) throw outsideRoot(specPath, modelName, real);
  return real;
}
