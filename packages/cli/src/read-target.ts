import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import {
  type ChecksumAlgorithm,
  checksumAlgorithmFromFileName,
  DEFAULT_LOCK_FILE_NAME,
  type FileToVerify,
  isSingleChecksum,
  type LockFile,
  ModelLoaderError,
  normalizeChecksums,
  parseChecksumFile,
  parseLockFile,
  readLockFile,
} from '@model-loader/core';
import {
  isYamlFileName,
  type ModelsConfig,
  parseModelsConfig,
  parseModelsFileText,
} from './models-file-config.js';

/** What `verify` was pointed at, resolved into files to check. */
export interface VerifyTarget {
  readonly kind: 'config' | 'lock' | 'sums';
  /** Folder the files' relative paths start from. */
  readonly baseDirectory: string;
  readonly files: readonly FileToVerify[];
  /** Models of a config with no checksum anywhere (in the config or the lock file). */
  readonly unpinned: readonly { readonly model: string; readonly path: string }[];
}

/** Options of {@link readVerifyTarget}. */
export interface ReadTargetOptions {
  /** Model directory: the base of a lock or sums file, and overrides a config's `modelDir`. @default the file's own folder (a config's `modelDir`) */
  readonly modelDirectory?: string;
  /** Lock file to take a config's missing checksums from. @default `<modelDir>/model-loader.lock.json` if present */
  readonly lockPath?: string;
  /** Algorithm of a sums file. @default from its name, else from each digest's length */
  readonly algorithm?: ChecksumAlgorithm;
}

function fromLock(lock: LockFile, filter: (path: string) => boolean = () => true): FileToVerify[] {
  return lock.files
    .filter((file) => filter(file.path))
    .map((file) => ({
      path: file.path,
      expected: { algorithm: file.algorithm, digest: file.digest },
      sizeInBytes: file.sizeInBytes,
      ...(file.model === undefined ? {} : { model: file.model }),
    }));
}

async function fromConfig(config: ModelsConfig, options: ReadTargetOptions): Promise<VerifyTarget> {
  const lockPath = options.lockPath ?? join(config.modelDirectory, DEFAULT_LOCK_FILE_NAME);
  const lock =
    options.lockPath !== undefined || existsSync(lockPath)
      ? await readLockFile(lockPath)
      : undefined;
  const files: FileToVerify[] = [];
  const unpinned: { model: string; path: string }[] = [];
  for (const model of config.models) {
    if (model.checksum !== undefined) {
      const kind = isSingleChecksum(model.checksum) ? 'file' : 'directory';
      for (const [relativePath, expected] of normalizeChecksums(model.checksum, kind, model.name)) {
        files.push({
          path: relativePath === '.' ? model.path : posix.join(model.path, relativePath),
          model: model.name,
          expected,
        });
      }
      continue;
    }
    const locked = lock
      ? fromLock(lock, (path) => path === model.path || path.startsWith(`${model.path}/`))
      : [];
    if (locked.length === 0 && !model.allowUnpinned)
      unpinned.push({ model: model.name, path: model.path });
    files.push(...locked.map((file) => ({ ...file, model: model.name })));
  }
  return { kind: 'config', baseDirectory: config.modelDirectory, files, unpinned };
}

/**
 * Reads a models config, a lock file or a sha256sum-style file, told apart by content: JSON with
 * `lockfileVersion` is a lock file, JSON with `models` a config, anything else a checksum file.
 * @throws ModelLoaderError CONFIG_INVALID, CHECKSUM_FILE_INVALID, CHECKSUM_INVALID
 */
export async function readVerifyTarget(
  path: string,
  options: ReadTargetOptions = {},
): Promise<VerifyTarget> {
  const text = await readFile(path, 'utf8');
  const baseDirectory = resolve(options.modelDirectory ?? dirname(path));
  if (isYamlFileName(path)) {
    return fromConfig(
      parseModelsConfig(parseModelsFileText(text, { path }), path, options.modelDirectory),
      options,
    );
  }
  if (text.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (/lock/i.test(basename(path))) parseLockFile(text, path);
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `${path}: not valid JSON (${(error as Error).message})`,
      );
    }
    const record = value as Record<string, unknown>;
    if ('lockfileVersion' in record) {
      return {
        kind: 'lock',
        baseDirectory,
        files: fromLock(parseLockFile(text, path)),
        unpinned: [],
      };
    }
    if ('models' in record)
      return fromConfig(parseModelsConfig(value, path, options.modelDirectory), options);
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `${path}: neither a models config (no \`models\`) nor a lock file (no \`lockfileVersion\`)`,
    );
  }
  const algorithm = options.algorithm ?? checksumAlgorithmFromFileName(path);
  const entries = parseChecksumFile(text, { source: path, ...(algorithm ? { algorithm } : {}) });
  if (entries.length === 0)
    throw new ModelLoaderError('CHECKSUM_FILE_INVALID', `${path}: no checksum lines`);
  return {
    kind: 'sums',
    baseDirectory,
    files: entries.map((entry) => ({
      path: entry.path,
      expected: { algorithm: entry.algorithm, digest: entry.digest },
    })),
    unpinned: [],
  };
}
