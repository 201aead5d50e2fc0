/** An axis-aligned rectangle in pixels; `right` and `bottom` are exclusive. */
export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** A text region found on the detector's probability map. */
export interface ScoredRect extends Rect {
  /** Mean text probability inside the region's bounding rectangle. */
  readonly score: number;
}

/** Thresholds of the DB post-processing. */
export interface FindTextBoxesOptions {
  readonly binarizationThreshold: number;
  readonly boxScoreThreshold: number;
  readonly unclipRatio: number;
  readonly maxTextBoxes: number;
}

// PaddleOCR DBPostProcess drops boxes whose shorter side is below min_size = 3 before, and below
// min_size + 2 after growing ("unclip").
const MIN_SIDE = 3;

/**
 * DB (differentiable binarization) post-processing with axis-aligned boxes: binarize the probability
 * map, take 8-connected regions, score each by the mean probability of its bounding rectangle, then
 * grow it by `area * unclipRatio / perimeter` on every side (the offset PaddleOCR applies with a
 * polygon clipper). Boxes are in map coordinates, clipped to the map, in no particular order.
 */
export function findTextBoxes(
  probabilities: Float32Array,
  width: number,
  height: number,
  options: FindTextBoxesOptions,
): ScoredRect[] {
  const size = width * height;
  if (probabilities.length < size)
    throw new RangeError('probability map is smaller than width x height');
  const labels = new Int32Array(size);
  const stack = new Int32Array(size);
  const boxes: ScoredRect[] = [];
  let label = 0;
  for (let start = 0; start < size; start++) {
    if (labels[start] !== 0 || !(probabilities[start]! > options.binarizationThreshold)) continue;
    label++;
    let left = width;
    let top = height;
    let right = -1;
    let bottom = -1;
    let stackLength = 0;
    stack[stackLength++] = start;
    labels[start] = label;
    while (stackLength > 0) {
      const index = stack[--stackLength]!;
      const x = index % width;
      const y = (index - x) / width;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (
            labels[neighbour] === 0 &&
            probabilities[neighbour]! > options.binarizationThreshold
          ) {
            labels[neighbour] = label;
            stack[stackLength++] = neighbour;
          }
        }
      }
    }
    const boxWidth = right - left + 1;
    const boxHeight = bottom - top + 1;
    if (Math.min(boxWidth, boxHeight) < MIN_SIDE) continue;
    const score = meanInRect(probabilities, width, left, top, right + 1, bottom + 1);
    if (score < options.boxScoreThreshold) continue;
    const distance = (boxWidth * boxHeight * options.unclipRatio) / (2 * (boxWidth + boxHeight));
    if (Math.min(boxWidth, boxHeight) + 2 * distance < MIN_SIDE + 2) continue;
    boxes.push({
      left: Math.max(0, Math.round(left - distance)),
      top: Math.max(0, Math.round(top - distance)),
      right: Math.min(width, Math.round(right + 1 + distance)),
      bottom: Math.min(height, Math.round(bottom + 1 + distance)),
      score,
    });
  }
  if (boxes.length > options.maxTextBoxes) {
    boxes.sort((a, b) => b.score - a.score);
    boxes.length = options.maxTextBoxes;
  }
  return boxes;
}

function meanInRect(
  values: Float32Array,
  width: number,
  left: number,
  top: number,
  right: number,
  bottom: number,
): number {
  let sum = 0;
  for (let y = top; y < bottom; y++) {
    const row = y * width;
    for (let x = left; x < right; x++) sum += values[row + x]!;
  }
  return sum / ((right - left) * (bottom - top));
}
