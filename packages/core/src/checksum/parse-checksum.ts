import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { ChecksumInput } from '../spec/model-spec.js';
import {
  CHECKSUM_HEX_LENGTHS,
  type ChecksumAlgorithm,
  isChecksumAlgorithm,
} from './checksum-algorithm.js';

/** A validated expected checksum: known algorithm, lower-case hex digest of the right length. */
export interface ExpectedChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly digest: string;
}

const hexPattern = /^[0-9a-f]+$/;

/**
 * Parses `"sha256:<hex>"`, a bare hex string (sha256), or `{ algorithm, expected }`.
 * @throws ModelLoaderError CHECKSUM_INVALID naming what is wrong.
 */
export function parseChecksum(input: ChecksumInput, modelName?: string): ExpectedChecksum {
  let algorithm: string;
  let digest: string;
  if (typeof input === 'string') {
    const separator = input.indexOf(':');
    algorithm = separator === -1 ? 'sha256' : input.slice(0, separator).trim().toLowerCase();
    digest = (separator === -1 ? input : input.slice(separator + 1)).trim().toLowerCase();
  } else {
    algorithm = String(input.algorithm).trim().toLowerCase();
    digest = String(input.expected).trim().toLowerCase();
  }
  const fail = (reason: string) =>
    new ModelLoaderError(
      'CHECKSUM_INVALID',
      `Invalid checksum${modelName ? ` for model '${modelName}'` : ''}: ${reason}`,
      {
        ...(modelName === undefined ? {} : { modelName }),
      },
    );
  if (!isChecksumAlgorithm(algorithm)) {
    throw fail(
      `unknown algorithm '${algorithm}' (use ${Object.keys(CHECKSUM_HEX_LENGTHS).join(', ')})`,
    );
  }
  const expectedLength = CHECKSUM_HEX_LENGTHS[algorithm];
  if (!hexPattern.test(digest)) throw fail(`the ${algorithm} digest must be hexadecimal`);
  if (digest.length !== expectedLength) {
    throw fail(`a ${algorithm} digest has ${expectedLength} hex digits, got ${digest.length}`);
  }
  return { algorithm, digest };
}

/** `sha256:<hex>` form of a checksum. */
export function formatChecksum(checksum: ExpectedChecksum): string {
  return `${checksum.algorithm}:${checksum.digest}`;
}
