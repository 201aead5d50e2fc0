import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import type {
  ChecksumVerification,
  ChecksumVerifier,
  VerifyOptions,
} from '../checksum/checksum-verifier.js';
import { type Logger, silentLogger } from '../spec/logger.js';
import { isRacy, readFileFingerprint, sameFingerprint } from './file-fingerprint.js';
import {
  createFingerprintCache,
  defaultFingerprintCacheDirectory,
  type FingerprintCache,
} from './fingerprint-cache.js';
import { hashFileError } from './hash-error.js';
import { createHashPool, type HashPool } from './hash-pool.js';

/** Options of {@link createChecksumVerifier}. */
export interface ChecksumVerifierOptions {
  /** Files hashed at once, each in its own worker thread. @default os.availableParallelism() */
  readonly threadCount?: number;
  /**
   * Hash every file every time: the cache is not read (it is still refreshed with the new digests,
   * which is always safe). @default false
   */
  readonly strict?: boolean;
  /**
   * Folder of the fingerprint cache, or `false` for none.
   * @default defaultFingerprintCacheDirectory() (under XDG_CACHE_HOME)
   */
  readonly cacheDirectory?: string | false;
  /**
   * A file changed less than this long before its hash started is hashed but not cached, because a
   * second change within the same timestamp tick would go unseen. @default 100 ms (2 s when the
   * file system keeps whole seconds)
   */
  readonly racyWindowInMs?: number;
  /** Receives warnings (corrupt cache entry, cache not writable, no worker file). @default silent */
  readonly logger?: Logger;
  /** A pool to share with other verifiers; not closed by `close()`. @default a new pool */
  readonly pool?: HashPool;
  /** Size of each read. @default 128 KiB */
  readonly chunkSizeInBytes?: number;
  /** Entry file of the hash worker, for tests and bundlers. @default the compiled `hash-worker.js` */
  readonly workerUrl?: URL;
}

/** A {@link ChecksumVerifier} with worker threads and a fingerprint cache. */
export interface IntegrityChecksumVerifier extends ChecksumVerifier {
  /** The pool that hashes (its `activeCount` and `pendingCount` can go to health output). */
  readonly pool: HashPool;
  /** The fingerprint cache, or undefined when disabled. */
  readonly cache: FingerprintCache | undefined;
  /** Stops the worker threads of the pool it created. Idle workers never keep a process alive. */
  close(): Promise<void>;
}

/**
 * Creates the engine's fast checksum verifier: an unchanged file (same device, inode, size, mtime
 * and ctime as when it was last hashed) is answered from the fingerprint cache; anything else is
 * hashed in a worker thread, and the digest cached when the file did not change
 * while it was read. Pass it as `new ModelLoader({ checksumVerifier })`.
 */
export function createChecksumVerifier(
  options: ChecksumVerifierOptions = {},
): IntegrityChecksumVerifier {
  const logger = options.logger ?? silentLogger;
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    createHashPool({
      logger,
      ...(options.threadCount === undefined ? {} : { threadCount: options.threadCount }),
      ...(options.chunkSizeInBytes === undefined
        ? {}
        : { chunkSizeInBytes: options.chunkSizeInBytes }),
      ...(options.workerUrl === undefined ? {} : { workerUrl: options.workerUrl }),
    });
  const strict = options.strict ?? false;
  const cache =
    options.cacheDirectory === false
      ? undefined
      : createFingerprintCache({
          directory: options.cacheDirectory ?? defaultFingerprintCacheDirectory(),
          logger,
        });
  const racyWindowInMs = options.racyWindowInMs ?? 100;

  const digest = async (
    path: string,
    algorithm: ChecksumAlgorithm,
    verifyOptions: VerifyOptions = {},
  ): Promise<ChecksumVerification> => {
    verifyOptions.signal?.throwIfAborted();
    const before = await readFileFingerprint(path).catch((error: unknown) => {
      throw hashFileError(error, path);
    });
    if (cache && !strict) {
      const cached = await cache.lookup(before, algorithm);
      if (cached) {
        verifyOptions.onProgress?.(Number(before.sizeInBytes));
        return { algorithm, digest: cached.digest, source: 'cache' };
      }
    }
    const startedAtInMs = Date.now();
    const { digest: computed } = await pool.hash(before.realPath, algorithm, {
      ...(verifyOptions.signal ? { signal: verifyOptions.signal } : {}),
      ...(verifyOptions.onProgress ? { onProgress: verifyOptions.onProgress } : {}),
    });
    if (cache) {
      const after = await readFileFingerprint(path).catch(() => undefined);
      // Cache only a digest of one stable version of the file.
      if (
        after &&
        sameFingerprint(before, after) &&
        !isRacy(after, startedAtInMs, racyWindowInMs)
      ) {
        await cache.store(after, algorithm, computed);
      }
    }
    return { algorithm, digest: computed, source: 'computed' };
  };

  return {
    pool,
    cache,
    digest,
    async close() {
      if (ownsPool) await pool.close();
    },
  };
}
