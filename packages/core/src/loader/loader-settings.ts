import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChecksumVerifier } from '../checksum/checksum-verifier.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import {
  createChecksumVerifier,
  type IntegrityChecksumVerifier,
} from '../integrity/create-checksum-verifier.js';
import { createLockFileSource, type LockFileSource } from '../integrity/lock-file-source.js';
import type { IsolationMode } from '../isolation/model-process-entry.js';
import type { ModelLoaderOptions, ModelProcessSupervision } from '../model-loader-options.js';
import { type ResolvedBackoff, resolveBackoff } from '../retry/backoff-options.js';
import { type Logger, silentLogger } from '../spec/logger.js';

/** A loader's options, checked, with defaults applied and the shared services created. */
export interface LoaderSettings {
  /** Real path of the model directory (the given path when it does not exist yet). */
  readonly modelDir: string;
  readonly logger: Logger;
  readonly validateChecksums: boolean;
  readonly loadConcurrency: number;
  readonly memoryBudgetInBytes: number;
  readonly backoff: ResolvedBackoff;
  readonly checksumVerifier: ChecksumVerifier;
  /** The verifier the loader created and must close (none when the caller passed one). */
  readonly ownedVerifier?: IntegrityChecksumVerifier;
  readonly lockSource?: LockFileSource;
  readonly isolation: IsolationMode;
  readonly processes: ModelProcessSupervision;
}

/**
 * Checks a loader's options.
 * @throws ModelLoaderError CONFIG_INVALID
 */
export function resolveLoaderSettings(options: ModelLoaderOptions<IsolationMode>): LoaderSettings {
  const logger = options.logger ?? silentLogger;
  if (typeof options.modelDir !== 'string' || options.modelDir === '') {
    throw new ModelLoaderError('CONFIG_INVALID', '`modelDir` must be a non-empty path');
  }
  const loadConcurrency = options.loadConcurrency ?? 3;
  if (!Number.isInteger(loadConcurrency) || loadConcurrency < 1) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `\`loadConcurrency\` must be an integer >= 1, got ${loadConcurrency}`,
    );
  }
  const memoryBudgetInBytes = options.memoryBudgetInBytes ?? Number.POSITIVE_INFINITY;
  if (!(memoryBudgetInBytes > 0)) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `\`memoryBudgetInBytes\` must be a number > 0, got ${memoryBudgetInBytes}`,
    );
  }
  const modelDir = realModelDir(options.modelDir);
  return {
    modelDir,
    logger,
    validateChecksums: options.validateChecksums ?? true,
    loadConcurrency,
    memoryBudgetInBytes,
    backoff: resolveBackoff(options.backoff),
    ...verifierFor(options, logger),
    ...(options.lockFile === undefined
      ? {}
      : {
          lockSource: createLockFileSource(resolve(modelDir, options.lockFile), options.lockFile),
        }),
    isolation: checkIsolation(options.isolation ?? 'none', '`isolation`'),
    processes: options.processes ?? {},
  };
}

/** The isolation a loader accepts, checked at run time for JavaScript callers. */
export function checkIsolation(value: unknown, field: string): IsolationMode {
  if (value === 'process' || value === 'none') return value;
  throw new ModelLoaderError('CONFIG_INVALID', `${field} must be 'process' or 'none'`);
}

function verifierFor(
  options: ModelLoaderOptions<IsolationMode>,
  logger: Logger,
): Pick<LoaderSettings, 'checksumVerifier' | 'ownedVerifier'> {
  if (options.checksumVerifier) return { checksumVerifier: options.checksumVerifier };
  const ownedVerifier = createChecksumVerifier({
    logger,
    ...(options.strictChecksums === undefined ? {} : { strict: options.strictChecksums }),
    ...(options.checksumCacheDirectory === undefined
      ? {}
      : { cacheDirectory: options.checksumCacheDirectory }),
  });
  return { checksumVerifier: ownedVerifier, ownedVerifier };
}

function realModelDir(modelDir: string): string {
  const absolute = resolve(modelDir);
  try {
    return realpathSync(absolute);
  } catch {
    // A missing model directory is not fatal: every model will fail with MODEL_FILE_NOT_FOUND.
    return absolute;
  }
}
