import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { CHECKSUM_HEX_LENGTHS, type ChecksumAlgorithm } from './checksum-algorithm.js';
import { formatChecksum, parseChecksum } from './parse-checksum.js';

const algorithms = Object.keys(CHECKSUM_HEX_LENGTHS) as ChecksumAlgorithm[];
const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');

describe('parseChecksum', () => {
  it('accepts every algorithm with a digest of its length, in any case, and round-trips', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...algorithms),
        fc.array(hexDigit, { minLength: 64, maxLength: 64 }),
        (algorithm, digits) => {
          const digest = digits.slice(0, CHECKSUM_HEX_LENGTHS[algorithm]).join('');
          const parsed = parseChecksum(`${algorithm.toUpperCase()}:${digest}`);
          expect(parsed).toEqual({ algorithm, digest: digest.toLowerCase() });
          expect(parseChecksum(formatChecksum(parsed))).toEqual(parsed);
          expect(parseChecksum({ algorithm, expected: digest })).toEqual(parsed);
        },
      ),
    );
  });

  it('never throws anything but CHECKSUM_INVALID', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        try {
          parseChecksum(input);
        } catch (error) {
          expect(ModelLoaderError.hasCode(error, 'CHECKSUM_INVALID')).toBe(true);
        }
      }),
    );
  });

  it('reads a bare hex string as sha256', () => {
    expect(
      parseChecksum('E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855').algorithm,
    ).toBe('sha256');
  });

  it.each([
    ['sha512:abcd', "Invalid checksum: unknown algorithm 'sha512' (use sha256, sha1, md5)"],
    ['md5:xyz', 'Invalid checksum: the md5 digest must be hexadecimal'],
    ['sha1:abcd', 'Invalid checksum: a sha1 digest has 40 hex digits, got 4'],
    ['', 'Invalid checksum: the sha256 digest must be hexadecimal'],
  ])('rejects %j', (input, message) => {
    expect(() => parseChecksum(input)).toThrowError(message);
  });
});
