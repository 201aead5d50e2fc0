import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { ChecksumInput } from '../spec/model-spec.js';
import { type ExpectedChecksum, parseChecksum } from './parse-checksum.js';

/** A model's `checksum` field: one checksum, or for a folder a record from file path to checksum. */
export type ModelChecksumInput = ChecksumInput | Readonly<Record<string, ChecksumInput>>;

/** True for one checksum (`"sha256:<hex>"` or `{ algorithm, expected }`), false for a per-file record. */
export function isSingleChecksum(checksum: ModelChecksumInput): checksum is ChecksumInput {
  if (typeof checksum === 'string') return true;
  const keys = Object.keys(checksum);
  return (
    keys.length === 2 &&
    keys.includes('algorithm') &&
    keys.includes('expected') &&
    typeof (checksum as Record<string, unknown>).algorithm === 'string' &&
    typeof (checksum as Record<string, unknown>).expected === 'string'
  );
}

/**
 * The expected checksums of a model by path relative to the model: `'.'` for the single checksum of
 * a file model, each record key for a folder model. Empty without a checksum.
 * @throws ModelLoaderError CHECKSUM_INVALID for a bad digest, or a single checksum on a folder model
 */
export function normalizeChecksums(
  checksum: ModelChecksumInput | undefined,
  kind: 'file' | 'directory',
  modelName: string,
): Map<string, ExpectedChecksum> {
  const checksums = new Map<string, ExpectedChecksum>();
  if (checksum === undefined) return checksums;
  if (isSingleChecksum(checksum)) {
    if (kind === 'directory') {
      throw new ModelLoaderError(
        'CHECKSUM_INVALID',
        `Invalid checksum for model '${modelName}': a directory model takes a record of file path -> checksum`,
        { modelName },
      );
    }
    checksums.set('.', parseChecksum(checksum, modelName));
    return checksums;
  }
  for (const [file, value] of Object.entries(checksum)) {
    checksums.set(file, parseChecksum(value, modelName));
  }
  return checksums;
}
