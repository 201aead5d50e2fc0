import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ctcDecode } from './ctc-decode.js';

const characters = ['a', 'b', 'c', ' '];

/** One-hot probabilities for a sequence of class indices. */
function oneHot(indices: readonly number[], classes = characters.length + 1): Float32Array {
  const data = new Float32Array(indices.length * classes);
  for (const [step, index] of indices.entries()) data[step * classes + index] = 1;
  return data;
}

describe('ctcDecode', () => {
  it('collapses repeats, drops blanks and maps class i to character i - 1', () => {
    const decoded = ctcDecode(oneHot([1, 1, 0, 1, 2, 2, 0, 0, 3, 4]), 10, 5, characters);
    expect(decoded).toEqual({ text: 'aabc ', confidence: 1 });
  });

  it('reads nothing from blanks only, with confidence 0', () => {
    expect(ctcDecode(oneHot([0, 0, 0]), 3, 5, characters)).toEqual({ text: '', confidence: 0 });
  });

  it('averages the probability of the characters kept', () => {
    const data = new Float32Array([0.1, 0.9, 0, 0, 0, 0.3, 0.2, 0.5, 0, 0]);
    expect(ctcDecode(data, 2, 5, characters).confidence).toBeCloseTo(0.7);
  });

  it('property: a sequence of characters separated by blanks decodes to itself', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 40 }), (classes) => {
        const steps = classes.flatMap((index) => [index, index, 0]);
        const decoded = ctcDecode(oneHot(steps), steps.length, 5, characters);
        expect(decoded.text).toBe(classes.map((index) => characters[index - 1]).join(''));
      }),
    );
  });
});
