import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ChecksumVerifier, DigestSource } from '../checksum/checksum-verifier.js';
import type { ExpectedChecksum } from '../checksum/parse-checksum.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { hashFileError } from './hash-error.js';

/** A file to check and what it must hash to. */
export interface FileToVerify {
  /** Path as shown in results: relative to `baseDirectory`, or absolute. */
  readonly path: string;
  readonly expected: ExpectedChecksum;
  /** Expected size; a file of another size fails without being hashed. */
  readonly sizeInBytes?: number;
  /** Name of the model the file belongs to. */
  readonly model?: string;
}

/** Outcome of one file: `ok`, `mismatch` (digest or size), `missing`, or `error` (unreadable...). */
export type FileCheckStatus = 'ok' | 'mismatch' | 'missing' | 'error';

/** Result of checking one file. */
export interface FileCheckResult {
  readonly path: string;
  readonly model?: string;
  readonly status: FileCheckStatus;
  readonly algorithm: ExpectedChecksum['algorithm'];
  readonly expected: string;
  /** Digest found, when the file could be hashed. */
  readonly actual?: string;
  /** Whether the digest was computed or taken from the fingerprint cache. */
  readonly source?: DigestSource;
  /** Error code for `mismatch`, `missing` and `error`. */
  readonly code?: ErrorCode;
  /** One line for people, for anything but `ok`. */
  readonly message?: string;
}

/** Options of {@link verifyFiles}. */
export interface VerifyFilesOptions {
  /** Folder that relative paths start from. @default process.cwd() */
  readonly baseDirectory?: string;
  readonly signal?: AbortSignal;
  /** Progress of one file, bytes done of its size. */
  readonly onProgress?: (path: string, bytesDone: number, sizeInBytes: number) => void;
  /** Called as each file finishes. */
  readonly onResult?: (result: FileCheckResult) => void;
}

/**
 * Checks every file against its expected checksum, as many at once as the verifier's pool allows.
 * Never throws for a bad file: each gets a result. An abort rejects with the signal's reason.
 */
export async function verifyFiles(
  files: readonly FileToVerify[],
  verifier: ChecksumVerifier,
  options: VerifyFilesOptions = {},
): Promise<FileCheckResult[]> {
  const baseDirectory = options.baseDirectory ?? process.cwd();
  return Promise.all(
    files.map(async (file): Promise<FileCheckResult> => {
      const absolutePath = isAbsolute(file.path) ? file.path : resolve(baseDirectory, file.path);
      const base = {
        path: file.path,
        ...(file.model === undefined ? {} : { model: file.model }),
        algorithm: file.expected.algorithm,
        expected: file.expected.digest,
      };
      let result: FileCheckResult;
      try {
        const stats = await stat(absolutePath).catch((error: unknown) => {
          throw hashFileError(error, file.path);
        });
        if (!stats.isFile())
          throw hashFileError({ code: 'EISDIR', message: 'not a regular file' }, file.path);
        if (file.sizeInBytes !== undefined && stats.size !== file.sizeInBytes) {
          result = {
            ...base,
            status: 'mismatch',
            code: 'CHECKSUM_MISMATCH',
            message: `Size mismatch! Expected: ${file.sizeInBytes} bytes, Got: ${stats.size} bytes`,
          };
        } else {
          const { digest, source } = await verifier.digest(absolutePath, file.expected.algorithm, {
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.onProgress
              ? {
                  onProgress: (bytesDone: number) =>
                    options.onProgress?.(file.path, bytesDone, stats.size),
                }
              : {}),
          });
          result =
            digest === file.expected.digest
              ? { ...base, status: 'ok', actual: digest, source }
              : {
                  ...base,
                  status: 'mismatch',
                  actual: digest,
                  source,
                  code: 'CHECKSUM_MISMATCH',
                  message: `Checksum mismatch! Expected: ${file.expected.digest}, Got: ${digest}`,
                };
        }
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        const failure = ModelLoaderError.isInstance(error)
          ? error
          : hashFileError(error, file.path);
        result = {
          ...base,
          status: failure.code === 'MODEL_FILE_NOT_FOUND' ? 'missing' : 'error',
          code: failure.code,
          message: failure.message,
        };
      }
      options.onResult?.(result);
      return result;
    }),
  );
}
