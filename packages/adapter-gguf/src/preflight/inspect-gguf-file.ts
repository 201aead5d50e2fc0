import { open } from 'node:fs/promises';
import { ModelLoaderError } from '@model-loader/core';
import { GgufByteReader, NeedMoreBytes } from './gguf-byte-reader.js';
import { GGUF_LIMITS } from './gguf-limits.js';
import type { GgufSummary } from './gguf-summary.js';
import { type ParsedGgufHeader, parseGgufHeaderDetails } from './parse-gguf-header.js';

const FIRST_WINDOW_IN_BYTES = 1024 * 1024;

/** A parsed header with the identity of the file it came from (size, mtime and inode at open). */
export interface GgufHeaderRead {
  readonly header: ParsedGgufHeader;
  /** `size:mtimeMs:ino` of the opened file: changes when the file is replaced or rewritten. */
  readonly fingerprint: string;
}

/** `size:mtimeMs:ino` of a file's stats, the key under which its parsed header may be reused. */
export function ggufFingerprint(stats: { size: number; mtimeMs: number; ino: number }): string {
  return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
}

/**
 * The GGUF preflight: reads only the header, metadata and tensor infos of `path` (never past the
 * file's size, never more than 512 MiB) and checks everything llama.cpp would trust. Resolves with a
 * summary; rejects with MODEL_FILE_TYPE_MISMATCH (not GGUF) or MODEL_FILE_CORRUPT (the reason names
 * the key or tensor). The parse restarts on a larger window when the header outgrows the first MiB.
 */
export async function inspectGgufFile(path: string, signal?: AbortSignal): Promise<GgufSummary> {
  return (await readGgufHeader(path, signal)).header.summary;
}

/** `inspectGgufFile` returning everything parsed, and the file's fingerprint. */
export async function readGgufHeader(path: string, signal?: AbortSignal): Promise<GgufHeaderRead> {
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    const size = stats.size;
    let window = new Uint8Array(0);
    let wanted = Math.min(size, FIRST_WINDOW_IN_BYTES);
    for (;;) {
      signal?.throwIfAborted();
      if (wanted > window.length) {
        // Not zero-filled: only the `filled` bytes read from the file are ever used.
        const next = Buffer.allocUnsafe(wanted);
        next.set(window);
        let filled = window.length;
        while (filled < wanted) {
          const { bytesRead } = await handle.read(next, filled, wanted - filled, filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        window = next.subarray(0, filled);
      }
      try {
        const fileSize = window.length < wanted ? window.length : size;
        const header = parseGgufHeaderDetails(new GgufByteReader(window, fileSize, path));
        return { header, fingerprint: ggufFingerprint(stats) };
      } catch (error) {
        if (!(error instanceof NeedMoreBytes)) throw error;
        if (error.requiredLength > GGUF_LIMITS.maxHeaderSizeInBytes) {
          throw new ModelLoaderError(
            'MODEL_FILE_CORRUPT',
            `Corrupt GGUF file: the header is larger than the cap of ${GGUF_LIMITS.maxHeaderSizeInBytes} bytes`,
            { path },
          );
        }
        wanted = Math.min(size, Math.max(error.requiredLength, window.length * 4));
      }
    }
  } finally {
    await handle.close();
  }
}
