import type { Rect } from './find-text-boxes.js';

/** A point `[x, y]` in pixels of the source image. */
export type OcrPoint = readonly [x: number, y: number];

/** Corners of a text line: top-left, top-right, bottom-right, bottom-left. */
export type OcrBox = readonly [OcrPoint, OcrPoint, OcrPoint, OcrPoint];

/** One line of recognised text. */
export interface OcrLine {
  /** Text of the line; regions of one line are joined with one space. */
  readonly text: string;
  /** Mean character probability of the line, 0..1. */
  readonly confidence: number;
  /** Where the line is in the source image (after EXIF orientation). */
  readonly box: OcrBox;
}

/** Text recognised in one detected region. */
export interface RecognisedRegion extends Rect {
  readonly text: string;
  readonly confidence: number;
}

/**
 * Puts regions in reading order and joins the regions of one visual line: a region belongs to a line
 * when they overlap vertically by at least half the smaller height. Lines go top to bottom, regions
 * left to right.
 */
export function groupLines(regions: readonly RecognisedRegion[]): OcrLine[] {
  const lines: { top: number; bottom: number; regions: RecognisedRegion[] }[] = [];
  const byCentre = [...regions].sort(
    (a, b) => a.top + a.bottom - (b.top + b.bottom) || a.left - b.left,
  );
  for (const region of byCentre) {
    const height = region.bottom - region.top;
    const line = lines.find((candidate) => {
      const overlap =
        Math.min(candidate.bottom, region.bottom) - Math.max(candidate.top, region.top);
      return overlap >= Math.min(height, candidate.bottom - candidate.top) / 2;
    });
    if (line === undefined)
      lines.push({ top: region.top, bottom: region.bottom, regions: [region] });
    else {
      line.regions.push(region);
      line.top = Math.min(line.top, region.top);
      line.bottom = Math.max(line.bottom, region.bottom);
    }
  }
  lines.sort((a, b) => a.top - b.top);
  return lines.map(({ regions: members }) => {
    members.sort((a, b) => a.left - b.left);
    const left = Math.min(...members.map((region) => region.left));
    const right = Math.max(...members.map((region) => region.right));
    const top = Math.min(...members.map((region) => region.top));
    const bottom = Math.max(...members.map((region) => region.bottom));
    const characters = members.reduce((sum, region) => sum + Math.max(1, region.text.length), 0);
    return {
      text: members.map((region) => region.text).join(' '),
      // Weighted by characters, so a one-letter region does not weigh as much as a sentence.
      confidence:
        members.reduce(
          (sum, region) => sum + region.confidence * Math.max(1, region.text.length),
          0,
        ) / characters,
      box: [
        [left, top],
        [right, top],
        [right, bottom],
        [left, bottom],
      ],
    };
  });
}
