import type { ExpectedChecksum } from '../checksum/parse-checksum.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { type LockFile, lockedChecksum } from './lock-file.js';

/** One file of a model, as the lock file names it. */
export interface ModelFileToPin {
  /** Key of the file inside its model (`.` for a single-file model). */
  readonly relativePath: string;
  /** Path relative to the model directory, as in the lock file. */
  readonly pathInModelDir: string;
}

/** Options of {@link lockedChecksumsFor}. */
export interface LockedChecksumsOptions {
  readonly modelName: string;
  /** The model may run with files the lock file does not pin (they are loaded unverified). */
  readonly allowUnpinned: boolean;
}

/**
 * The checksums a lock file pins for a model's files, by their key inside the model. A file the lock
 * does not pin refuses the whole model, unless it may run unpinned: a configured lock file is a
 * promise that nothing unverified is served.
 * @throws ModelLoaderError LOCK_ENTRY_MISSING naming the files that are not pinned
 */
export function lockedChecksumsFor(
  lock: LockFile,
  files: readonly ModelFileToPin[],
  options: LockedChecksumsOptions,
): Map<string, ExpectedChecksum> {
  const checksums = new Map<string, ExpectedChecksum>();
  const missing: string[] = [];
  for (const file of files) {
    const locked = lockedChecksum(lock, file.pathInModelDir);
    if (locked) checksums.set(file.relativePath, locked);
    else missing.push(file.pathInModelDir);
  }
  if (missing.length > 0 && !options.allowUnpinned) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new ModelLoaderError(
      'LOCK_ENTRY_MISSING',
      `Model '${options.modelName}': the lock file does not pin ${missing[0]}${more}; lock it again with \`model-loader lock\`, or set \`allowUnpinned\` on the model`,
      { modelName: options.modelName },
    );
  }
  return checksums;
}
