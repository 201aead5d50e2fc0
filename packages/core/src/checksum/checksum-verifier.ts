import { ModelLoaderError } from '../errors/model-loader-error.js';
import { hashFile } from './hash-file.js';
import type { ExpectedChecksum } from './parse-checksum.js';

/** Where a verified digest came from. */
export type DigestSource = 'computed' | 'cache';

/** Result of a successful verification. */
export interface ChecksumVerification {
  readonly algorithm: ExpectedChecksum['algorithm'];
  readonly digest: string;
  readonly source: DigestSource;
}

/** Options of one verification. */
export interface VerifyOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesDone: number) => void;
}

/**
 * Computes (or recalls) a file's digest. The engine asks it for every checksummed file; swap it for
 * one with worker threads or a fingerprint cache without touching the engine.
 */
export interface ChecksumVerifier {
  digest(
    path: string,
    algorithm: ExpectedChecksum['algorithm'],
    options?: VerifyOptions,
  ): Promise<ChecksumVerification>;
}

/** Hashes every time, streaming on the main thread. */
export const streamingChecksumVerifier: ChecksumVerifier = {
  async digest(path, algorithm, options = {}) {
    return { algorithm, digest: await hashFile(path, algorithm, options), source: 'computed' };
  },
};

/**
 * Verifies `path` against `expected`.
 * @throws ModelLoaderError CHECKSUM_MISMATCH with the seed's message.
 */
export async function verifyChecksum(
  verifier: ChecksumVerifier,
  path: string,
  expected: ExpectedChecksum,
  options: VerifyOptions & { modelName?: string } = {},
): Promise<ChecksumVerification> {
  const result = await verifier.digest(path, expected.algorithm, options);
  if (result.digest !== expected.digest) {
    throw new ModelLoaderError(
      'CHECKSUM_MISMATCH',
      `Checksum mismatch! Expected: ${expected.digest}, Got: ${result.digest}\nFile may be corrupted or tampered with.`,
      {
        path,
        expected: expected.digest,
        actual: result.digest,
        ...(options.modelName === undefined ? {} : { modelName: options.modelName }),
      },
    );
  }
  return result;
}
