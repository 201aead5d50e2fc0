import { readAndHash } from '../integrity/read-and-hash.js';
import type { ChecksumAlgorithm } from './checksum-algorithm.js';

/** Options of one file hash. */
export interface HashFileOptions {
  /** Stops the hash; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called as bytes are hashed. */
  readonly onProgress?: (bytesDone: number) => void;
}

/**
 * Hashes a file through node:crypto on the calling thread and returns its lower-case hex digest.
 * Reads 128 KiB at a time into one buffer (constant memory), giving the event loop a turn every
 * 4 MiB. For hashing off the main thread, with a fingerprint cache, use `createChecksumVerifier`.
 */
export async function hashFile(
  path: string,
  algorithm: ChecksumAlgorithm,
  options: HashFileOptions = {},
): Promise<string> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const { digest } = await readAndHash(path, algorithm, {
    ...(signal
      ? { shouldStop: () => (signal.aborted ? (signal.reason ?? new Error('aborted')) : undefined) }
      : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  return digest;
}
