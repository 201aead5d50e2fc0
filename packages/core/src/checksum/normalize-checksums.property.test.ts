import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { isSingleChecksum, normalizeChecksums } from './normalize-checksums.js';

const algorithms = { sha256: 64, sha1: 40, md5: 32 } as const;
const algorithm = fc.constantFrom(...(Object.keys(algorithms) as (keyof typeof algorithms)[]));
const hexDigest = (length: number) =>
  fc.string({
    unit: fc.constantFrom(...'0123456789abcdefABCDEF'),
    minLength: length,
    maxLength: length,
  });
const checksum = algorithm.chain((name) =>
  hexDigest(algorithms[name]).chain((digest) =>
    fc.constantFrom(
      {
        input: `${name}:${digest}` as string | { algorithm: typeof name; expected: string },
        name,
        digest,
      },
      { input: { algorithm: name, expected: digest }, name, digest },
      ...(name === 'sha256' ? [{ input: digest, name, digest }] : []),
    ),
  ),
);
const relativePath = fc.stringMatching(/^[a-z0-9_]{1,8}(\/[a-z0-9_.]{1,8}){0,2}$/);

describe('normalizeChecksums', () => {
  it('a single checksum of a file model is the one entry "." with the lower-case digest', () => {
    fc.assert(
      fc.property(checksum, ({ input, name, digest }) => {
        expect(isSingleChecksum(input)).toBe(true);
        expect([...normalizeChecksums(input, 'file', 'm')]).toEqual([
          ['.', { algorithm: name, digest: digest.toLowerCase() }],
        ]);
      }),
    );
  });

  it('a per-file record keeps every path and parses each checksum; a single one on a folder is refused', () => {
    fc.assert(
      fc.property(fc.dictionary(relativePath, checksum, { minKeys: 1, maxKeys: 6 }), (files) => {
        const record = Object.fromEntries(
          Object.entries(files).map(([path, c]) => [path, c.input]),
        );
        expect(isSingleChecksum(record)).toBe(false);
        const result = normalizeChecksums(record, 'directory', 'm');
        expect(Object.fromEntries(result)).toEqual(
          Object.fromEntries(
            Object.entries(files).map(([path, c]) => [
              path,
              { algorithm: c.name, digest: c.digest.toLowerCase() },
            ]),
          ),
        );
        const [first] = Object.values(files);
        let thrown: unknown;
        try {
          normalizeChecksums(first!.input, 'directory', 'm');
        } catch (error) {
          thrown = error;
        }
        expect(ModelLoaderError.hasCode(thrown, 'CHECKSUM_INVALID')).toBe(true);
      }),
    );
  });

  it('no checksum is an empty map; a digest of the wrong length fails with CHECKSUM_INVALID', () => {
    expect(normalizeChecksums(undefined, 'directory', 'm').size).toBe(0);
    fc.assert(
      fc.property(algorithm, fc.integer({ min: 1, max: 80 }), (name, length) => {
        fc.pre(length !== algorithms[name]);
        expect(() => normalizeChecksums(`${name}:${'a'.repeat(length)}`, 'file', 'm')).toThrow(
          expect.objectContaining({ code: 'CHECKSUM_INVALID' }),
        );
      }),
    );
  });
});
