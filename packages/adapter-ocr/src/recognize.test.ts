import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OcrModel } from './index.js';
import { loadDefaultModel, withoutSpacesNextToCjk } from './test-support/load-default-model.js';
import { renderTextImage } from './test-support/render-text-image.js';

let model: OcrModel;
beforeAll(async () => {
  model = await loadDefaultModel();
});
afterAll(() => model?.dispose());

describe('recognize: real PaddleOCR v4 on rendered text', () => {
  it.each([
    { lines: ['Hello World'], size: 32 },
    { lines: ['0123456789'], size: 24 },
    { lines: ['3.14159 2.71828'], size: 30 },
    { lines: ['你好世界'], size: 40 },
    { lines: ['中文识别测试'], size: 20 },
    { lines: ['光学字符识别'], size: 56 },
    { lines: ['模型加载器 2024'], size: 28 },
    { lines: ['Invoice 2024-07-15', 'Total: 1,234.56 EUR'], size: 22 },
    { lines: ['The quick brown fox', 'jumps over 13 lazy dogs'], size: 20 },
  ])('reads $lines at $size px', async ({ lines, size }) => {
    const result = await model.recognize(await renderTextImage({ lines, fontSizeInPixels: size }));
    expect(result.text).toBe(withoutSpacesNextToCjk(lines.join('\n')));
    expect(result.lines.map((line) => line.text)).toEqual(lines.map(withoutSpacesNextToCjk));
  });

  it.each([12, 16, 48, 64, 96])('reads one line at %i px', async (size) => {
    const result = await model.recognize(
      await renderTextImage({ lines: ['Model loader 42'], fontSizeInPixels: size }),
    );
    expect(result.text).toBe('Model loader 42');
  });

  it('reads a serif font', async () => {
    const image = await renderTextImage({ lines: ['Hello World'], fontFamily: 'DejaVu Serif' });
    expect((await model.recognize(image)).text).toBe('Hello World');
  });

  it.each(['jpeg', 'webp', 'tiff'] as const)('reads %s images', async (format) => {
    const image = await renderTextImage({ lines: ['Format check 7'], format });
    expect((await model.recognize(image)).text).toBe('Format check 7');
  });

  it('reads black text on a transparent background (alpha laid over white)', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="360" height="70"><text x="20" y="45" font-family="DejaVu Sans" font-size="32" fill="#000">Transparent 5</text></svg>`;
    const image = await sharp(Buffer.from(svg)).png().toBuffer();
    expect((await sharp(image).metadata()).hasAlpha).toBe(true);
    expect((await model.recognize(image)).text).toBe('Transparent 5');
  });

  it('reads a greyscale image', async () => {
    const image = await sharp(await renderTextImage({ lines: ['Greyscale 8'] }))
      .flatten({ background: '#fff' })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    expect((await sharp(image).metadata()).channels).toBe(1);
    expect((await model.recognize(image)).text).toBe('Greyscale 8');
  });

  it('turns upside-down text with the orientation classifier', async () => {
    const image = await sharp(await renderTextImage({ lines: ['Upside down text'] }))
      .rotate(180)
      .png()
      .toBuffer();
    expect((await model.recognize(image)).text).toBe('Upside down text');
  });

  it('applies EXIF orientation before reading', async () => {
    // Stored upside down, tagged "rotate 180" (orientation 3): viewers and this adapter show it upright.
    const stored = await sharp(await renderTextImage({ lines: ['Exif 90210'] }))
      .rotate(180)
      .withMetadata({ orientation: 3 })
      .jpeg()
      .toBuffer();
    const result = await model.recognize(stored);
    expect(result.text).toBe('Exif 90210');
  });

  it('returns boxes around each line in source pixels, top to bottom, with confidences', async () => {
    const image = await renderTextImage({
      lines: ['First line', 'Second line'],
      fontSizeInPixels: 30,
    });
    const { width = 0, height = 0 } = await sharp(image).metadata();
    const { lines } = await model.recognize(image);
    expect(lines).toHaveLength(2);
    // Baselines at 36 and 90 px (renderTextImage: y = size * 1.2 + index * size * 1.8).
    for (const [index, line] of lines.entries()) {
      const [[left, top], [right], [, bottom]] = line.box;
      expect(left).toBeGreaterThanOrEqual(0);
      expect(right).toBeLessThanOrEqual(width);
      expect(bottom).toBeLessThanOrEqual(height);
      const baseline = 36 + index * 54;
      expect(top).toBeLessThan(baseline - 15);
      expect(bottom).toBeGreaterThan(baseline);
      expect(line.confidence).toBeGreaterThan(0.9);
      expect(line.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('reads every line of a page of long lines (the classifier only proposes a flip)', async () => {
    // Long lines squeezed to 192 x 48 fool the orientation classifier; these once came out upside down.
    const words = [
      'model',
      'loader',
      'checksum',
      'memory',
      'budget',
      'retry',
      'health',
      'ready',
      'onnx',
      'paddle',
    ];
    const lines = Array.from(
      { length: 12 },
      (_, line) =>
        `${Array.from({ length: 7 }, (_, word) => words[(line * 7 + word) % words.length]).join(' ')} ${line * 37 + 101}`,
    );
    const result = await model.recognize(
      await renderTextImage({ lines, fontSizeInPixels: 20, widthInPixels: 850 }),
    );
    expect(result.lines.map((line) => line.text)).toEqual(lines);
  });

  it('reads a lone glyph far from the rest of its line, and vertical text', async () => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="520" height="80"><rect width="100%" height="100%" fill="#fff"/><text x="20" y="50" font-family="DejaVu Sans" font-size="32">Room</text><text x="300" y="50" font-family="DejaVu Sans" font-size="32">1</text></svg>`;
    const image = await sharp(Buffer.from(svg)).png().toBuffer();
    expect((await model.recognize(image)).text).toBe('Room 1');
    const vertical = await sharp(await renderTextImage({ lines: ['Vertical 42'] }))
      .rotate(90)
      .png()
      .toBuffer();
    expect((await model.recognize(vertical)).text).toBe('Vertical 42');
  });

  it('returns no text for a blank image', async () => {
    const blank = await sharp({
      create: { width: 200, height: 100, channels: 3, background: '#fff' },
    })
      .png()
      .toBuffer();
    expect(await model.recognize(blank)).toEqual({ text: '', lines: [] });
  });

  it('serves concurrent calls', async () => {
    const texts = ['Alpha 1', 'Beta 22', 'Gamma 333'];
    const images = await Promise.all(texts.map((text) => renderTextImage({ lines: [text] })));
    const results = await Promise.all(images.map((image) => model.recognize(image)));
    expect(results.map((result) => result.text)).toEqual(texts);
  });
});
