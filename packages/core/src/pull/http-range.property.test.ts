import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatRangeFrom,
  ifRangeValidator,
  parseContentRange,
  parseUnsatisfiedRange,
} from './http-range.js';

describe('Content-Range', () => {
  it('round-trips every valid `bytes start-end/total` and `bytes start-end/*`', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER - 2 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        (start, length, extra, knownTotal) => {
          const end = Math.min(start + length, Number.MAX_SAFE_INTEGER - 1);
          const total = Math.min(end + 1 + extra, Number.MAX_SAFE_INTEGER);
          const header = `bytes ${start}-${end}/${knownTotal ? total : '*'}`;
          expect(parseContentRange(header)).toEqual(
            knownTotal ? { start, end, totalSizeInBytes: total } : { start, end },
          );
        },
      ),
    );
  });

  it('never accepts a range that ends before it starts or past the total, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .tuple(fc.nat(), fc.nat(), fc.oneof(fc.nat().map(String), fc.constant('*')))
            .map(([a, b, c]) => `bytes ${a}-${b}/${c}`),
        ),
        (header) => {
          const range = parseContentRange(header);
          if (range === undefined) return;
          expect(range.end).toBeGreaterThanOrEqual(range.start);
          if (range.totalSizeInBytes !== undefined)
            expect(range.end).toBeLessThan(range.totalSizeInBytes);
          expect(Number.isSafeInteger(range.end)).toBe(true);
        },
      ),
    );
  });

  it('reads the size of a 416 answer and refuses malformed ones', () => {
    fc.assert(
      fc.property(fc.nat(), (total) => {
        expect(parseUnsatisfiedRange(`bytes */${total}`)).toEqual({ totalSizeInBytes: total });
      }),
    );
    expect(parseUnsatisfiedRange('bytes 0-1/2')).toBeUndefined();
    expect(parseContentRange('bytes 5-4/10')).toBeUndefined();
    expect(parseContentRange('bytes 0-10/10')).toBeUndefined();
    expect(parseContentRange('bytes 0-99999999999999999/*')).toBeUndefined();
    expect(parseContentRange(null)).toBeUndefined();
  });

  it('Range starts at a non-negative integer; If-Range takes a strong ETag, else a date', () => {
    fc.assert(
      fc.property(fc.nat(), (start) => {
        expect(formatRangeFrom(start)).toBe(`bytes=${start}-`);
      }),
    );
    expect(() => formatRangeFrom(-1)).toThrow(RangeError);
    expect(ifRangeValidator({ etag: '"abc"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' })).toBe(
      '"abc"',
    );
    expect(
      ifRangeValidator({ etag: 'W/"abc"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }),
    ).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
    expect(ifRangeValidator({ etag: 'W/"abc"' })).toBeUndefined();
    expect(ifRangeValidator({ lastModified: 'yesterday' })).toBeUndefined();
  });
});
