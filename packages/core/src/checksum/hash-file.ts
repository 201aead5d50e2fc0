import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ChecksumAlgorithm } from './checksum-algorithm.js';

/** Options of one file hash. */
export interface HashFileOptions {
  /** Stops the hash; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called as bytes are hashed. */
  readonly onProgress?: (bytesDone: number) => void;
}

const chunkSizeInBytes = 1024 * 1024;

/** Streams a file through node:crypto and returns its lower-case hex digest. Constant memory. */
export async function hashFile(
  path: string,
  algorithm: ChecksumAlgorithm,
  options: HashFileOptions = {},
): Promise<string> {
  const hash = createHash(algorithm);
  const stream = createReadStream(path, {
    highWaterMark: chunkSizeInBytes,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let bytesDone = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytesDone += chunk.length;
    options.onProgress?.(bytesDone);
  }
  return hash.digest('hex');
}
