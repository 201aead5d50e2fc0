import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';

/** Default size of one read: large enough that per-call overhead vanishes next to hashing. */
export const DEFAULT_CHUNK_SIZE_IN_BYTES = 4 * 1024 * 1024;

/** Options of {@link readAndHash}. */
export interface ReadAndHashOptions {
  /** Size of each of the two read buffers. @default 4 MiB */
  readonly chunkSizeInBytes?: number;
  /** Checked after every chunk; when it returns an error, hashing stops and that error is thrown. */
  readonly shouldStop?: () => unknown;
  /** Called after every hashed chunk with the bytes hashed so far. */
  readonly onProgress?: (bytesDone: number) => void;
}

/** Digest and the number of bytes that went into it. */
export interface ReadAndHashResult {
  readonly digest: string;
  readonly sizeInBytes: number;
}

/**
 * Hashes a file with two buffers: while one chunk is hashed on this thread, the next one is read
 * by libuv's thread pool, so reading and hashing overlap. Memory stays at two chunks whatever the
 * file size.
 */
export async function readAndHash(
  path: string,
  algorithm: ChecksumAlgorithm,
  options: ReadAndHashOptions = {},
): Promise<ReadAndHashResult> {
  const chunkSizeInBytes = options.chunkSizeInBytes ?? DEFAULT_CHUNK_SIZE_IN_BYTES;
  const handle = await open(path, 'r');
  let pending: Promise<unknown> | undefined;
  try {
    const hash = createHash(algorithm);
    let current = Buffer.allocUnsafe(chunkSizeInBytes);
    let spare = Buffer.allocUnsafe(chunkSizeInBytes);
    let position = 0;
    let read = readChunk(handle, current, position);
    pending = read;
    for (;;) {
      const bytesRead = await read;
      const stop = options.shouldStop?.();
      if (stop !== undefined) throw stop;
      if (bytesRead === 0) break;
      position += bytesRead;
      const filled = current;
      // Start the next read before hashing, so the disk (or page-cache copy) works meanwhile.
      read = readChunk(handle, spare, position);
      pending = read;
      hash.update(filled.subarray(0, bytesRead));
      options.onProgress?.(position);
      current = spare;
      spare = filled;
    }
    return { digest: hash.digest('hex'), sizeInBytes: position };
  } finally {
    // Never close the handle under a read still in flight (an abort or a hash error).
    await pending?.catch(() => {});
    await handle.close();
  }
}

async function readChunk(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
  return bytesRead;
}
