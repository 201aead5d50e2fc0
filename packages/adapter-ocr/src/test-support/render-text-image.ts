import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** What to draw: lines of text, black on white, with SVG through sharp (librsvg + pango). */
export interface TextImageOptions {
  readonly lines: readonly string[];
  readonly fontSizeInPixels?: number;
  readonly fontFamily?: string;
  /** Width of the canvas; by default wide enough for the longest line. */
  readonly widthInPixels?: number;
  readonly format?: 'png' | 'jpeg' | 'webp' | 'tiff';
}

let fontReady: Promise<void> | undefined;

/**
 * Makes the Noto Sans Hans font of `@embedpdf/fonts-sc` (a dev dependency) known to fontconfig: a
 * sharp text render with `fontfile` registers the file for the whole process, so SVG text that falls
 * back to a CJK font finds it. Without it, machines with only DejaVu fonts draw Chinese as boxes.
 */
export function registerCjkFont(): Promise<void> {
  fontReady ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@embedpdf/fonts-sc');
    const fontfile = join(dirname(entry), '..', 'fonts', 'NotoSansHans-Regular.otf');
    await sharp({ text: { text: '字', font: 'Noto Sans Hans', fontfile } })
      .png()
      .toBuffer();
  })();
  return fontReady;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Renders lines of text into an image file's bytes. */
export async function renderTextImage(options: TextImageOptions): Promise<Buffer> {
  await registerCjkFont();
  const size = options.fontSizeInPixels ?? 32;
  const family = options.fontFamily ?? 'DejaVu Sans, Noto Sans Hans';
  const lineHeight = Math.round(size * 1.8);
  const longest = Math.max(...options.lines.map((line) => [...line].length));
  const width = options.widthInPixels ?? Math.round(longest * size * 1.1 + 2 * size);
  const height = lineHeight * options.lines.length + size;
  const texts = options.lines
    .map(
      (line, index) =>
        `<text x="${size}" y="${Math.round(size * 1.2 + index * lineHeight)}" font-family="${family}" font-size="${size}" fill="#000">${escapeXml(line)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${texts}</svg>`;
  return sharp(Buffer.from(svg))
    .toFormat(options.format ?? 'png')
    .toBuffer();
}
