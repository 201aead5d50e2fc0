import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupLines, type RecognisedRegion } from './group-lines.js';

const region = (
  text: string,
  left: number,
  top: number,
  width = 40,
  height = 20,
  confidence = 0.9,
): RecognisedRegion => ({
  text,
  confidence,
  left,
  top,
  right: left + width,
  bottom: top + height,
});

describe('groupLines', () => {
  it('joins regions of one visual line left to right with a space, and orders lines top to bottom', () => {
    const lines = groupLines([
      region('world', 100, 12),
      region('second', 10, 60),
      region('Hello', 10, 10),
    ]);
    expect(lines.map((line) => line.text)).toEqual(['Hello world', 'second']);
    expect(lines[0]!.box).toEqual([
      [10, 10],
      [140, 10],
      [140, 32],
      [10, 32],
    ]);
  });

  it('weights the confidence of a joined line by characters', () => {
    const [line] = groupLines([region('abc', 0, 0, 40, 20, 0.9), region('d', 50, 0, 10, 20, 0.5)]);
    expect(line!.confidence).toBeCloseTo((0.9 * 3 + 0.5) / 4);
  });

  it('returns no line for no region', () => {
    expect(groupLines([])).toEqual([]);
  });

  it('property: every region lands in exactly one line, and lines do not overlap much', () => {
    const arbitraryRegion = fc
      .record({
        left: fc.integer({ min: 0, max: 500 }),
        top: fc.integer({ min: 0, max: 500 }),
        width: fc.integer({ min: 4, max: 200 }),
        height: fc.integer({ min: 4, max: 60 }),
      })
      .map(({ left, top, width, height }) => region('x', left, top, width, height));
    fc.assert(
      fc.property(fc.array(arbitraryRegion, { maxLength: 30 }), (regions) => {
        const lines = groupLines(regions);
        const words = lines.reduce((sum, line) => sum + line.text.split(' ').length, 0);
        expect(words).toBe(regions.length);
        for (let index = 1; index < lines.length; index++) {
          expect(lines[index]!.box[0][1]).toBeGreaterThanOrEqual(lines[index - 1]!.box[0][1]);
        }
      }),
    );
  });
});
