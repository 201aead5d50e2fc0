import { stat } from 'node:fs/promises';
import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import { type ChecksumVerifier, streamingChecksumVerifier } from '../checksum/checksum-verifier.js';
import type { ExpectedChecksum } from '../checksum/parse-checksum.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { describeError, ModelLoaderError } from '../errors/model-loader-error.js';
import { verifyFiles } from '../integrity/verify-files.js';
import { type BackoffOptions, resolveBackoff } from '../retry/backoff-options.js';
import { createConcurrencyLimiter } from '../scheduler/concurrency-limiter.js';
import { confinePullTarget } from './confine-target.js';
import { type DownloadPhase, downloadFile } from './download-file.js';
import { parseModelSource, resolveModelSource, type SourceEnvironment } from './model-source.js';

/** One file to put in place. */
export interface FileToPull {
  /** Path relative to the model directory, `/`-separated. */
  readonly path: string;
  /** The model the file belongs to. */
  readonly model?: string;
  /** Where the file comes from: `https://...`, `http://...` or `hf://org/repo/path@revision`. */
  readonly source: string;
  /** The pinned digest. Undefined only with `pin: true` (pinned on first download). */
  readonly expected?: ExpectedChecksum;
  /** The pinned size, when known (lock files have it). */
  readonly sizeInBytes?: number;
}

/** A progress report of one file. */
export interface PullProgressEvent {
  readonly path: string;
  readonly model?: string;
  /** `checking` the file in place, `waiting` for another process's lock, `hashing-partial`, `downloading`, `verifying`. */
  readonly phase: 'checking' | DownloadPhase;
  /** Bytes of the file on disk, resumed bytes included. */
  readonly bytesDone: number;
  readonly totalBytes?: number;
}

/** Outcome of one file: already `present` (verified), `downloaded` (verified), or `failed`. */
export type PullFileStatus = 'present' | 'downloaded' | 'failed';

/** Result of one file. */
export interface PullFileResult {
  readonly path: string;
  readonly model?: string;
  readonly source: string;
  readonly status: PullFileStatus;
  readonly algorithm?: ChecksumAlgorithm;
  /** The verified digest (or, when pinning, the digest now pinned). */
  readonly digest?: string;
  readonly sizeInBytes?: number;
  /** True when the digest was not pinned before and is the one of the bytes received. */
  readonly pinnedNow?: boolean;
  /** Bytes kept from an earlier interrupted download. */
  readonly resumedFromBytes?: number;
  /** Bytes received over the network. */
  readonly receivedBytes?: number;
  readonly code?: ErrorCode;
  readonly message?: string;
}

/** Options of {@link pullFiles}. */
export interface PullFilesOptions {
  /** The model directory; every file is written inside it, whatever its source or redirects. */
  readonly modelDirectory: string;
  /** Checks files already in place. @default streaming hash on this thread */
  readonly verifier?: ChecksumVerifier;
  /** `HF_ENDPOINT` and `HF_TOKEN`. */
  readonly environment?: SourceEnvironment;
  /** Allows files with no pinned digest; their digest is computed on arrival. @default false */
  readonly pin?: boolean;
  /** Files downloaded at once. @default 4 */
  readonly concurrency?: number;
  /** Failed attempts in a row (without new bytes) per file. @default 5 */
  readonly attempts?: number;
  /** Backoff between attempts. @default 0.5 s, 1 s, 2 s ... with full jitter */
  readonly backoff?: BackoffOptions;
  /** @default 30000 */
  readonly headersTimeoutInMs?: number;
  /** @default 30000 */
  readonly idleTimeoutInMs?: number;
  /** @default 10 */
  readonly maxRedirects?: number;
  /** @default 30000 */
  readonly lockStaleAfterInMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: PullProgressEvent) => void;
  /** Called after a failed attempt of a file that will be tried again. */
  readonly onRetry?: (path: string, error: unknown, delayInMs: number) => void;
  readonly onResult?: (result: PullFileResult) => void;
}

function failed(file: FileToPull, error: unknown): PullFileResult {
  return {
    path: file.path,
    ...(file.model === undefined ? {} : { model: file.model }),
    source: file.source,
    status: 'failed',
    ...(ModelLoaderError.isInstance(error) ? { code: error.code } : {}),
    message: ModelLoaderError.isInstance(error) ? error.message : describeError(error),
  };
}

/**
 * Puts every file in place in the model directory: a file that is there and matches its pin is
 * left alone; a missing or mismatching one is downloaded (see `downloadFile`), at most
 * `concurrency` at once. Never throws for one bad file: each gets a result. An abort rejects.
 */
export async function pullFiles(
  files: readonly FileToPull[],
  options: PullFilesOptions,
): Promise<PullFileResult[]> {
  const verifier = options.verifier ?? streamingChecksumVerifier;
  const backoff = resolveBackoff({ jitter: 'full', ...options.backoff });
  const limit = createConcurrencyLimiter(options.concurrency ?? 4);
  const { signal } = options;

  const pullOne = async (file: FileToPull): Promise<PullFileResult> => {
    const base = {
      path: file.path,
      ...(file.model === undefined ? {} : { model: file.model }),
      source: file.source,
    };
    const progress = (phase: PullProgressEvent['phase'], bytesDone = 0, totalBytes?: number) =>
      options.onProgress?.({
        ...base,
        phase,
        bytesDone,
        ...(totalBytes === undefined ? {} : { totalBytes }),
      });
    try {
      if (file.expected === undefined && !options.pin) {
        throw new ModelLoaderError(
          'PULL_NOT_PINNED',
          `${file.path} has a source but no pinned checksum (in the models file or the lock file); pin it, or pass --pin to pin it on first download`,
          file.model === undefined ? {} : { modelName: file.model },
        );
      }
      const resolved = resolveModelSource(parseModelSource(file.source), options.environment);
      const targetPath = await confinePullTarget(options.modelDirectory, file.path);
      const isPresent = async (): Promise<PullFileResult | undefined> => {
        progress('checking', 0, file.sizeInBytes);
        if (file.expected === undefined) {
          const info = await stat(targetPath).catch(() => undefined);
          if (info === undefined) return undefined;
          const found = await verifier.digest(targetPath, 'sha256', signal ? { signal } : {});
          return {
            ...base,
            status: 'present',
            algorithm: found.algorithm,
            digest: found.digest,
            sizeInBytes: info.size,
            pinnedNow: true,
          };
        }
        const [check] = await verifyFiles(
          [
            {
              path: targetPath,
              expected: file.expected,
              ...(file.sizeInBytes === undefined ? {} : { sizeInBytes: file.sizeInBytes }),
            },
          ],
          verifier,
          signal ? { signal } : {},
        );
        if (check?.status !== 'ok') return undefined;
        const { size } = await stat(targetPath);
        return {
          ...base,
          status: 'present',
          algorithm: check.algorithm,
          digest: check.expected,
          sizeInBytes: size,
        };
      };
      const present = await isPresent();
      if (present) return present;
      let presentAfterWait: PullFileResult | undefined;
      const result = await downloadFile({
        url: resolved.url,
        headers: resolved.headers,
        targetPath,
        label: file.path,
        ...(file.expected === undefined ? {} : { expected: file.expected }),
        ...(file.sizeInBytes === undefined ? {} : { sizeInBytes: file.sizeInBytes }),
        ...(signal ? { signal } : {}),
        ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
        backoff,
        ...(options.headersTimeoutInMs === undefined
          ? {}
          : { headersTimeoutInMs: options.headersTimeoutInMs }),
        ...(options.idleTimeoutInMs === undefined
          ? {}
          : { idleTimeoutInMs: options.idleTimeoutInMs }),
        ...(options.maxRedirects === undefined ? {} : { maxRedirects: options.maxRedirects }),
        ...(options.lockStaleAfterInMs === undefined
          ? {}
          : { lockStaleAfterInMs: options.lockStaleAfterInMs }),
        isAlreadyPresent: async () => {
          presentAfterWait = await isPresent();
          return presentAfterWait?.digest === undefined
            ? undefined
            : { digest: presentAfterWait.digest, sizeInBytes: presentAfterWait.sizeInBytes ?? 0 };
        },
        onPhase: (phase) => progress(phase, 0, file.sizeInBytes),
        onProgress: (bytesDone, totalBytes) => progress('downloading', bytesDone, totalBytes),
        onRetry: ({ error, delayInMs }) => options.onRetry?.(file.path, error, delayInMs),
      });
      if (result.status === 'present' && presentAfterWait) return presentAfterWait;
      return {
        ...base,
        status: result.status,
        algorithm: result.algorithm,
        digest: result.digest,
        sizeInBytes: result.sizeInBytes,
        ...(file.expected === undefined ? { pinnedNow: true } : {}),
        resumedFromBytes: result.resumedFromBytes,
        receivedBytes: result.receivedBytes,
      };
    } catch (error) {
      if (signal?.aborted) throw error;
      return failed(file, error);
    }
  };

  return Promise.all(
    files.map((file) =>
      limit(async () => {
        signal?.throwIfAborted();
        const result = await pullOne(file);
        options.onResult?.(result);
        return result;
      }),
    ),
  );
}
