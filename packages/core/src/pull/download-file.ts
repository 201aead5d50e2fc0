import { constants } from 'node:fs';
import { type FileHandle, open, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import type { ExpectedChecksum } from '../checksum/parse-checksum.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import {
  backoffDelayInMs,
  defaultBackoff,
  type ResolvedBackoff,
} from '../retry/backoff-options.js';
import { sleep } from '../retry/sleep.js';
import { isRetryable, mismatch, sizeMismatch } from './download-errors.js';
import { abortError, fetchSource, networkError } from './fetch-source.js';
import {
  formatRangeFrom,
  ifRangeValidator,
  parseContentRange,
  parseUnsatisfiedRange,
} from './http-range.js';
import {
  type PartialMeta,
  type PartialState,
  restart,
  restoreState,
  syncFolder,
} from './partial-download.js';
import { acquirePullLock, type LockHolder } from './pull-lock.js';

/** What a download is doing, for progress displays. */
export type DownloadPhase = 'waiting' | 'hashing-partial' | 'downloading' | 'verifying';

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions {
  /** Where the bytes come from. */
  readonly url: URL;
  /** Headers for the source's origin (a token); never sent to another origin after a redirect. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Absolute, already confined path of the final file (see `confinePullTarget`). */
  readonly targetPath: string;
  /** How the file is named in messages (its path relative to the model directory). */
  readonly label: string;
  /** The pinned digest; undefined only when pinning on first download. */
  readonly expected?: ExpectedChecksum;
  /** Algorithm used when `expected` is undefined. @default 'sha256' */
  readonly algorithm?: ChecksumAlgorithm;
  /** The pinned size: a server announcing or sending another size fails at once. */
  readonly sizeInBytes?: number;
  readonly signal?: AbortSignal;
  /** Attempts in a row without progress before giving up. @default 5 */
  readonly attempts?: number;
  readonly backoff?: ResolvedBackoff;
  /** Time until response headers arrive. @default 30000 */
  readonly headersTimeoutInMs?: number;
  /** Longest wait for the next bytes of the body. @default 30000 */
  readonly idleTimeoutInMs?: number;
  /** @default 10 */
  readonly maxRedirects?: number;
  /** A lock untouched for this long is taken over (the holder is on another host). @default 30000 */
  readonly lockStaleAfterInMs?: number;
  /**
   * Checked once the lock is held: the digest and size of a good file another process already put
   * in place while this one waited, or undefined.
   */
  readonly isAlreadyPresent?: () => Promise<{ digest: string; sizeInBytes: number } | undefined>;
  readonly onPhase?: (phase: DownloadPhase, detail?: { holder?: LockHolder }) => void;
  /** Bytes of the file on disk so far (resumed bytes included) and the size when known. */
  readonly onProgress?: (bytesDone: number, totalBytes: number | undefined) => void;
  /** Called after a failed attempt that will be tried again. */
  readonly onRetry?: (info: { error: unknown; delayInMs: number }) => void;
}

/** What {@link downloadFile} did. */
export interface DownloadFileResult {
  /** `present` when another process finished the same file while this one waited for the lock. */
  readonly status: 'downloaded' | 'present';
  readonly algorithm: ChecksumAlgorithm;
  readonly digest: string;
  readonly sizeInBytes: number;
  /** Bytes of an earlier partial download that were kept (0 when it started from scratch). */
  readonly resumedFromBytes: number;
  /** Bytes received over the network by this call. */
  readonly receivedBytes: number;
}

async function nextChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleTimeoutInMs: number,
  label: string,
  signal: AbortSignal | undefined,
): Promise<{ done: boolean; value?: Uint8Array }> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ModelLoaderError(
            'PULL_NETWORK_ERROR',
            `Download of ${label} failed: no bytes for ${idleTimeoutInMs} ms`,
          ),
        ),
      idleTimeoutInMs,
    );
    onAbort = () => reject(abortError(label, signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([reader.read(), stop]);
  } catch (error) {
    if (ModelLoaderError.isInstance(error)) throw error;
    throw networkError(label, error);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Downloads one file to `<target>.partial` and renames it to `target` only after its digest (and
 * size) match the pin; nothing unverified ever appears at `target`.
 *
 * - One process at a time: `<target>.partial.lock` is created with O_EXCL; others wait, then find
 *   the finished file (`isAlreadyPresent`) or carry on from the partial.
 * - Resumes: an existing partial whose `.partial.json` names the same URL and a validator is hashed
 *   once, then continued with `Range: bytes=N-` and `If-Range: <ETag or Last-Modified>`. A 200 to
 *   that request (no range support, or the file changed) restarts from byte 0.
 * - Hashes the bytes as they arrive; a retry in the same process continues the same hash state, so
 *   no byte is read twice. fsync before the rename, and of the folder after it.
 * - Retries network failures, timeouts and 5xx/408/429 with backoff; `attempts` counts failures in
 *   a row without new bytes. 4xx, redirects refused and mismatches are never retried.
 * @throws ModelLoaderError CHECKSUM_MISMATCH (the partial is deleted), PULL_HTTP_ERROR,
 *   PULL_NETWORK_ERROR, PULL_REDIRECT_REFUSED, PULL_ABORTED
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadFileResult> {
  const { targetPath, label, signal } = options;
  const algorithm = options.expected?.algorithm ?? options.algorithm ?? 'sha256';
  const partialPath = `${targetPath}.partial`;
  const metaPath = `${targetPath}.partial.json`;
  const lock = await acquirePullLock(`${targetPath}.partial.lock`, {
    ...(signal ? { signal } : {}),
    ...(options.lockStaleAfterInMs === undefined
      ? {}
      : { staleAfterInMs: options.lockStaleAfterInMs }),
    onWait: (holder) => options.onPhase?.('waiting', { holder }),
  }).catch((error: unknown) => {
    throw signal?.aborted ? abortError(label, signal.reason) : error;
  });
  try {
    const present = await options.isAlreadyPresent?.();
    if (present) {
      return { status: 'present', algorithm, ...present, resumedFromBytes: 0, receivedBytes: 0 };
    }
    const handle = await open(
      partialPath,
      constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW,
      0o644,
    );
    let closed = false;
    try {
      const state = await restoreState(handle, metaPath, options, algorithm);
      await transfer(handle, state, metaPath, options, algorithm);
      options.onPhase?.('verifying');
      const digest = state.hash.digest('hex');
      if (options.sizeInBytes !== undefined && state.bytes !== options.sizeInBytes) {
        throw sizeMismatch(label, options.sizeInBytes, state.bytes, targetPath);
      }
      if (options.expected && digest !== options.expected.digest) {
        throw mismatch(label, options.expected.digest, digest, targetPath);
      }
      await handle.sync();
      await handle.close();
      closed = true;
      await rename(partialPath, targetPath);
      await syncFolder(dirname(targetPath));
      await unlink(metaPath).catch(() => {});
      return {
        status: 'downloaded',
        algorithm,
        digest,
        sizeInBytes: state.bytes,
        resumedFromBytes: state.resumedFromBytes,
        receivedBytes: state.receivedBytes,
      };
    } catch (error) {
      if (ModelLoaderError.hasCode(error, 'CHECKSUM_MISMATCH')) {
        if (!closed) await handle.close().catch(() => {});
        closed = true;
        await unlink(partialPath).catch(() => {});
        await unlink(metaPath).catch(() => {});
      }
      throw error;
    } finally {
      if (!closed) await handle.close().catch(() => {});
    }
  } finally {
    await lock.release();
  }
}

async function transfer(
  handle: FileHandle,
  state: PartialState,
  metaPath: string,
  options: DownloadFileOptions,
  algorithm: ChecksumAlgorithm,
): Promise<void> {
  const backoff = options.backoff ?? defaultBackoff;
  const attempts = options.attempts ?? 5;
  let failuresInARow = 0;
  for (;;) {
    const before = state.bytes;
    try {
      await attempt(handle, state, metaPath, options, algorithm);
      return;
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.label, options.signal.reason);
      if (!isRetryable(error)) throw error;
      failuresInARow = state.bytes > before ? 1 : failuresInARow + 1;
      if (failuresInARow >= attempts) {
        const last = error as ModelLoaderError;
        throw new ModelLoaderError(
          last.code,
          `${last.message} (gave up after ${failuresInARow} attempts without progress)`,
          {
            cause: error,
            isRetryable: false,
            stopReason: 'maxAttemptsExceeded',
            ...(last.actual === undefined ? {} : { actual: last.actual }),
          },
        );
      }
      const delayInMs = backoffDelayInMs(failuresInARow, backoff);
      options.onRetry?.({ error, delayInMs });
      try {
        await sleep(delayInMs, options.signal);
      } catch (reason) {
        throw abortError(options.label, reason);
      }
    }
  }
}

/** One request: resume (or start) and write what arrives until the body ends or fails. */
async function attempt(
  handle: FileHandle,
  state: PartialState,
  metaPath: string,
  options: DownloadFileOptions,
  algorithm: ChecksumAlgorithm,
): Promise<void> {
  const { label, signal } = options;
  // A write that failed half-way may have left bytes the hash never saw.
  if ((await handle.stat()).size !== state.bytes) await handle.truncate(state.bytes);
  const resuming = state.bytes > 0 && state.validator !== undefined;
  if (state.bytes > 0 && !resuming) await restart(handle, state, algorithm);
  const { response } = await fetchSource(options.url, {
    ...(options.headers ? { headers: options.headers } : {}),
    requestHeaders: resuming
      ? { range: formatRangeFrom(state.bytes), 'if-range': state.validator! }
      : {},
    ...(signal ? { signal } : {}),
    ...(options.maxRedirects === undefined ? {} : { maxRedirects: options.maxRedirects }),
    ...(options.headersTimeoutInMs === undefined
      ? {}
      : { headersTimeoutInMs: options.headersTimeoutInMs }),
    label,
  });
  let totalBytes: number | undefined;
  if (response.status === 416) {
    await response.body?.cancel().catch(() => {});
    const unsatisfied = parseUnsatisfiedRange(response.headers.get('content-range'));
    if (resuming && unsatisfied?.totalSizeInBytes === state.bytes) return;
    await restart(handle, state, algorithm);
    throw new ModelLoaderError(
      'PULL_HTTP_ERROR',
      `Download of ${label}: the server refused the resume range; starting over`,
      { actual: '416', isRetryable: true },
    );
  }
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (!resuming || range === undefined || range.start !== state.bytes) {
      await response.body?.cancel().catch(() => {});
      await restart(handle, state, algorithm);
      throw new ModelLoaderError(
        'PULL_HTTP_ERROR',
        `Download of ${label}: the server answered another range than asked; starting over`,
        { actual: '206', isRetryable: true },
      );
    }
    totalBytes = range.totalSizeInBytes;
  } else {
    // 200: the whole representation, either because ranges are not supported or because If-Range
    // found that the file changed. Either way the old bytes are worthless.
    if (state.bytes > 0) await restart(handle, state, algorithm);
    const length = response.headers.get('content-length');
    totalBytes = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
  }
  if (
    options.sizeInBytes !== undefined &&
    totalBytes !== undefined &&
    totalBytes !== options.sizeInBytes
  ) {
    await response.body?.cancel().catch(() => {});
    throw sizeMismatch(label, options.sizeInBytes, totalBytes, options.targetPath);
  }
  state.totalBytes = totalBytes ?? options.sizeInBytes;
  if (response.status === 200) {
    state.validator = ifRangeValidator({
      etag: response.headers.get('etag') ?? undefined,
      lastModified: response.headers.get('last-modified') ?? undefined,
    });
    const meta: PartialMeta = {
      url: options.url.href,
      algorithm,
      ...(state.validator === undefined ? {} : { validator: state.validator }),
      ...(state.totalBytes === undefined ? {} : { sizeInBytes: state.totalBytes }),
    };
    await writeFile(metaPath, JSON.stringify(meta));
  }
  options.onPhase?.('downloading');
  options.onProgress?.(state.bytes, state.totalBytes);
  const body = response.body;
  if (body === null) return;
  const reader = body.getReader();
  const idleTimeoutInMs = options.idleTimeoutInMs ?? 30_000;
  try {
    for (;;) {
      const { done, value } = await nextChunk(reader, idleTimeoutInMs, label, signal);
      if (done || value === undefined) break;
      if (options.sizeInBytes !== undefined && state.bytes + value.length > options.sizeInBytes) {
        throw sizeMismatch(
          label,
          options.sizeInBytes,
          state.bytes + value.length,
          options.targetPath,
        );
      }
      let written = 0;
      while (written < value.length) {
        const { bytesWritten } = await handle.write(
          value,
          written,
          value.length - written,
          state.bytes + written,
        );
        written += bytesWritten;
      }
      state.hash.update(value);
      state.bytes += value.length;
      state.receivedBytes += value.length;
      options.onProgress?.(state.bytes, state.totalBytes);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (state.totalBytes !== undefined && state.bytes < state.totalBytes) {
    throw new ModelLoaderError(
      'PULL_NETWORK_ERROR',
      `Download of ${label} failed: the connection ended after ${state.bytes} of ${state.totalBytes} bytes`,
    );
  }
}
