import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';

/** What {@link restoreState} needs of the download options. */
export interface RestoreOptions {
  readonly url: URL;
  readonly sizeInBytes?: number;
  readonly signal?: AbortSignal;
  readonly onPhase?: (phase: 'hashing-partial') => void;
  readonly onProgress?: (bytesDone: number, totalBytes: number | undefined) => void;
}

/** The side file that remembers which representation a `.partial` holds. */
export interface PartialMeta {
  readonly url: string;
  readonly algorithm: ChecksumAlgorithm;
  readonly validator?: string;
  readonly sizeInBytes?: number;
}

/** The in-memory state of a partial file: every byte in it has gone through `hash` exactly once. */
export interface PartialState {
  hash: Hash;
  bytes: number;
  validator: string | undefined;
  totalBytes: number | undefined;
  resumedFromBytes: number;
  receivedBytes: number;
}

const HASH_READ_CHUNK_IN_BYTES = 1024 * 1024;

async function readMeta(path: string): Promise<PartialMeta | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<PartialMeta>;
    return typeof value.url === 'string' && typeof value.algorithm === 'string'
      ? (value as PartialMeta)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Feeds the first `length` bytes of the partial into `hash` (the bytes of an earlier process). */
async function hashExisting(handle: FileHandle, hash: Hash, length: number, signal?: AbortSignal) {
  const buffer = Buffer.allocUnsafe(Math.min(HASH_READ_CHUNK_IN_BYTES, Math.max(length, 1)));
  let position = 0;
  while (position < length) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(
      buffer,
      0,
      Math.min(buffer.length, length - position),
      position,
    );
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return position;
}

/** Keeps the partial an earlier process left when it can be proven to be a prefix of the source. */
export async function restoreState(
  handle: FileHandle,
  metaPath: string,
  options: RestoreOptions,
  algorithm: ChecksumAlgorithm,
): Promise<PartialState> {
  const fresh: PartialState = {
    hash: createHash(algorithm),
    bytes: 0,
    validator: undefined,
    totalBytes: undefined,
    resumedFromBytes: 0,
    receivedBytes: 0,
  };
  const { size } = await handle.stat();
  if (size === 0) return fresh;
  const meta = await readMeta(metaPath);
  const usable =
    meta !== undefined &&
    meta.url === options.url.href &&
    meta.algorithm === algorithm &&
    meta.validator !== undefined &&
    (options.sizeInBytes === undefined || size <= options.sizeInBytes);
  if (!usable) {
    await handle.truncate(0);
    return fresh;
  }
  options.onPhase?.('hashing-partial');
  const hashed = await hashExisting(handle, fresh.hash, size, options.signal);
  options.onProgress?.(hashed, meta.sizeInBytes);
  return {
    ...fresh,
    bytes: hashed,
    validator: meta.validator,
    totalBytes: meta.sizeInBytes,
    resumedFromBytes: hashed,
  };
}

/** Empties the partial and its hash: the source will send the whole representation again. */
export async function restart(
  handle: FileHandle,
  state: PartialState,
  algorithm: ChecksumAlgorithm,
) {
  await handle.truncate(0);
  state.hash = createHash(algorithm);
  state.bytes = 0;
  state.resumedFromBytes = 0;
  state.validator = undefined;
  state.totalBytes = undefined;
}

/** fsync of a folder, so the rename of a finished download survives a crash. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the rename is still atomic there.
  } finally {
    await handle.close();
  }
}
