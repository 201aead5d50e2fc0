/** Text read from one line and its confidence. */
export interface DecodedText {
  readonly text: string;
  /** Mean probability of the characters kept, 0 when none was. */
  readonly confidence: number;
}

/**
 * Greedy CTC decoding of one sequence: the most probable class per time step, repeats collapsed,
 * class 0 (blank) dropped. Class `i > 0` is `characters[i - 1]`. `probabilities` holds `steps` rows of
 * `classes` values.
 */
export function ctcDecode(
  probabilities: Float32Array,
  steps: number,
  classes: number,
  characters: readonly string[],
): DecodedText {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let step = 0; step < steps; step++) {
    const offset = step * classes;
    let best = 0;
    let bestValue = probabilities[offset]!;
    for (let index = 1; index < classes; index++) {
      const value = probabilities[offset + index]!;
      if (value > bestValue) {
        bestValue = value;
        best = index;
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best - 1] ?? '';
      sum += bestValue;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept === 0 ? 0 : sum / kept };
}
