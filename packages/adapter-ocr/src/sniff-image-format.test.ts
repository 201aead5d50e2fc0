import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { sniffImageFormat } from './sniff-image-format.js';

describe('sniffImageFormat', () => {
  it.each(['png', 'jpeg', 'webp', 'tiff'] as const)(
    'recognises %s written by sharp',
    async (format) => {
      const bytes = await sharp({
        create: { width: 4, height: 4, channels: 3, background: '#fff' },
      })
        .toFormat(format)
        .toBuffer();
      expect(sniffImageFormat(bytes)).toBe(format);
    },
  );

  it('names refused formats', () => {
    expect(sniffImageFormat(Buffer.from('  <svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({
      refused: 'svg',
    });
    expect(sniffImageFormat(Buffer.from('GIF89a'))).toEqual({ refused: 'gif' });
    expect(sniffImageFormat(new Uint8Array())).toEqual({ refused: 'unknown' });
  });

  it('property: bytes without an accepted signature are never accepted', () => {
    const accepted = new Set(['png', 'jpeg', 'webp', 'tiff']);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const result = sniffImageFormat(bytes);
        if (typeof result === 'string') {
          expect(accepted.has(result)).toBe(true);
          expect([0x89, 0xff, 0x52, 0x49, 0x4d]).toContain(bytes[0]);
        }
      }),
    );
  });
});
