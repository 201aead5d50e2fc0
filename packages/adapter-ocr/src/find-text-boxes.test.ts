import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTextBoxes, type Rect } from './find-text-boxes.js';

const options = {
  binarizationThreshold: 0.3,
  boxScoreThreshold: 0.6,
  unclipRatio: 1.5,
  maxTextBoxes: 1000,
};

function paint(width: number, height: number, rects: readonly Rect[], value = 0.9): Float32Array {
  const map = new Float32Array(width * height);
  for (const rect of rects) {
    for (let y = rect.top; y < rect.bottom; y++)
      map.fill(value, y * width + rect.left, y * width + rect.right);
  }
  return map;
}

describe('findTextBoxes', () => {
  it('finds a rectangle and grows it by area * ratio / perimeter on each side', () => {
    // 40 x 10 region: distance = 400 * 1.5 / 100 = 6.
    const map = paint(100, 50, [{ left: 20, top: 20, right: 60, bottom: 30 }]);
    expect(findTextBoxes(map, 100, 50, options)).toEqual([
      { left: 14, top: 14, right: 66, bottom: 36, score: expect.closeTo(0.9, 5) },
    ]);
  });

  it('clips grown boxes to the map', () => {
    const map = paint(30, 20, [{ left: 0, top: 0, right: 30, bottom: 10 }]);
    const [box] = findTextBoxes(map, 30, 20, options);
    expect(box).toMatchObject({ left: 0, top: 0, right: 30 });
  });

  it('drops regions thinner than 3 pixels and regions scoring under the box threshold', () => {
    const thin = paint(60, 20, [{ left: 5, top: 5, right: 50, bottom: 7 }]);
    expect(findTextBoxes(thin, 60, 20, options)).toEqual([]);
    const faint = paint(60, 20, [{ left: 5, top: 5, right: 50, bottom: 15 }], 0.5);
    expect(findTextBoxes(faint, 60, 20, options)).toEqual([]);
  });

  it('keeps the best boxes when there are more than maxTextBoxes', () => {
    const map = paint(100, 20, [
      { left: 2, top: 5, right: 20, bottom: 15 },
      { left: 40, top: 5, right: 60, bottom: 15 },
    ]);
    for (let y = 5; y < 15; y++) map.fill(0.99, y * 100 + 40, y * 100 + 60);
    const boxes = findTextBoxes(map, 100, 20, { ...options, maxTextBoxes: 1 });
    expect(boxes).toHaveLength(1);
    expect(boxes[0]!.score).toBeCloseTo(0.99, 5);
  });

  it('property: separate rectangles give one box each, containing them, inside the map', () => {
    const rect = fc
      .record({
        column: fc.integer({ min: 0, max: 3 }),
        row: fc.integer({ min: 0, max: 3 }),
        w: fc.integer({ min: 3, max: 30 }),
        h: fc.integer({ min: 3, max: 12 }),
      })
      .map(({ column, row, w, h }) => ({
        left: column * 50 + 10,
        top: row * 30 + 8,
        right: column * 50 + 10 + w,
        bottom: row * 30 + 8 + h,
      }));
    fc.assert(
      fc.property(
        fc.uniqueArray(rect, { selector: (r) => `${r.left},${r.top}`, maxLength: 16 }),
        (rects) => {
          const boxes = findTextBoxes(paint(200, 120, rects), 200, 120, options);
          expect(boxes).toHaveLength(rects.length);
          for (const painted of rects) {
            const box = boxes.find(
              (candidate) =>
                candidate.left <= painted.left &&
                candidate.right >= painted.right &&
                candidate.top <= painted.top &&
                candidate.bottom >= painted.bottom,
            );
            expect(box).toBeDefined();
          }
          for (const box of boxes) {
            expect(box.left).toBeGreaterThanOrEqual(0);
            expect(box.top).toBeGreaterThanOrEqual(0);
            expect(box.right).toBeLessThanOrEqual(200);
            expect(box.bottom).toBeLessThanOrEqual(120);
          }
        },
      ),
    );
  });
});
