import { lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { normaliseLockedPath } from '../integrity/lock-file.js';
import { isInside } from '../validation/resolve-model-path.js';

function outside(relativePath: string, path: string): ModelLoaderError {
  return new ModelLoaderError(
    'MODEL_PATH_OUTSIDE_ROOT',
    `Model path is outside the model directory: ${relativePath}`,
    { path },
  );
}

/**
 * The absolute path a pulled file is written to: `relativePath` inside the model directory, as
 * written and after following symlinks, with its missing parent folders created one by one (never
 * through a symlink that leaves the model directory, which `mkdir -p` would follow).
 * @throws ModelLoaderError MODEL_PATH_OUTSIDE_ROOT
 */
export async function confinePullTarget(
  modelDirectory: string,
  relativePath: string,
): Promise<string> {
  const normal = normaliseLockedPath(relativePath);
  if (normal === undefined) throw outside(relativePath, relativePath);
  await mkdir(modelDirectory, { recursive: true });
  const root = await realpath(modelDirectory);
  const target = resolve(root, normal);
  if (!isInside(root, target)) throw outside(relativePath, target);
  let folder = root;
  for (const part of relative(root, dirname(target)).split(sep).filter(Boolean)) {
    folder = join(folder, part);
    const info = await lstat(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (info === undefined) {
      await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
    const real = await realpath(folder);
    if (!isInside(root, real)) throw outside(relativePath, real);
  }
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    const real = await realpath(target).catch(() => undefined);
    if (real === undefined || !isInside(root, real)) throw outside(relativePath, target);
  }
  return target;
}
