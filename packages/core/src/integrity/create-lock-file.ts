import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import type { ChecksumVerifier } from '../checksum/checksum-verifier.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { hashFileError } from './hash-error.js';
import {
  LOCK_FILE_VERSION,
  type LockedFile,
  type LockFile,
  normaliseLockedPath,
} from './lock-file.js';

/** A file to pin. */
export interface FileToLock {
  /** Path relative to the model directory. */
  readonly path: string;
  /** Model the file belongs to. */
  readonly model?: string;
  /** Algorithm for this file. @default the `algorithm` option */
  readonly algorithm?: ChecksumAlgorithm;
}

/** Options of {@link createLockFile}. */
export interface CreateLockFileOptions {
  /** The model directory that the paths are relative to. */
  readonly modelDirectory: string;
  /** @default 'sha256' */
  readonly algorithm?: ChecksumAlgorithm;
  readonly signal?: AbortSignal;
  readonly onProgress?: (path: string, bytesDone: number, sizeInBytes: number) => void;
}

/**
 * Hashes every file (as many at once as the verifier allows; pass a strict verifier to read every
 * byte) and returns the lock file pinning them.
 * @throws ModelLoaderError for the first file that cannot be hashed, or CONFIG_INVALID for a path
 * outside the model directory
 */
export async function createLockFile(
  files: readonly FileToLock[],
  verifier: ChecksumVerifier,
  options: CreateLockFileOptions,
): Promise<LockFile> {
  const locked = await Promise.all(
    files.map(async (file): Promise<LockedFile> => {
      const path = normaliseLockedPath(file.path);
      if (path === undefined) {
        throw new ModelLoaderError(
          'CONFIG_INVALID',
          `Cannot lock ${file.path}: the path must stay inside the model directory`,
        );
      }
      const absolutePath = resolve(options.modelDirectory, path);
      const stats = await stat(absolutePath).catch((error: unknown) => {
        throw hashFileError(error, path);
      });
      if (!stats.isFile())
        throw hashFileError({ code: 'EISDIR', message: 'not a regular file' }, path);
      const algorithm = file.algorithm ?? options.algorithm ?? 'sha256';
      const { digest } = await verifier
        .digest(absolutePath, algorithm, {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress
            ? {
                onProgress: (bytesDone: number) =>
                  options.onProgress?.(path, bytesDone, stats.size),
              }
            : {}),
        })
        .catch((error: unknown) => {
          throw options.signal?.aborted ? error : hashFileError(error, path);
        });
      return {
        path,
        sizeInBytes: stats.size,
        algorithm,
        digest,
        ...(file.model === undefined ? {} : { model: file.model }),
      };
    }),
  );
  return { lockfileVersion: LOCK_FILE_VERSION, files: locked };
}
