import { open } from 'node:fs/promises';
import { ModelLoaderError } from '@model-loader/core';
import { GgufByteReader, NeedMoreBytes } from './gguf-byte-reader.js';
import { GGUF_LIMITS } from './gguf-limits.js';
import type { GgufSummary } from './gguf-summary.js';
import { parseGgufHeader } from './parse-gguf-header.js';

const FIRST_WINDOW_IN_BYTES = 8 * 1024 * 1024;

/**
 * The GGUF preflight: reads only the header, metadata and tensor infos of `path` (never past the
 * file's size, never more than 512 MiB) and checks everything llama.cpp would trust. Resolves with a
 * summary; rejects with MODEL_FILE_TYPE_MISMATCH (not GGUF) or MODEL_FILE_CORRUPT (the reason names
 * the key or tensor). The parse restarts on a larger window when the header outgrows the first MiB.
 */
export async function inspectGgufFile(path: string, signal?: AbortSignal): Promise<GgufSummary> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    let window = new Uint8Array(0);
    let wanted = Math.min(size, FIRST_WINDOW_IN_BYTES);
    for (;;) {
      signal?.throwIfAborted();
      if (wanted > window.length) {
        const next = new Uint8Array(wanted);
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
        return parseGgufHeader(new GgufByteReader(window, fileSize, path));
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
