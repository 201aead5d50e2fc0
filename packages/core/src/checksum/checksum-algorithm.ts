/** Hash algorithms accepted for model checksums, with their hex digest lengths. */
export const CHECKSUM_HEX_LENGTHS = { sha256: 64, sha1: 40, md5: 32 } as const;

/** A supported checksum algorithm. */
export type ChecksumAlgorithm = keyof typeof CHECKSUM_HEX_LENGTHS;

/** True when `value` names a supported algorithm. */
export function isChecksumAlgorithm(value: string): value is ChecksumAlgorithm {
  return Object.hasOwn(CHECKSUM_HEX_LENGTHS, value);
}
