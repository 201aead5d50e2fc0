import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OcrModel } from './index.js';
import { loadDefaultModel } from './test-support/load-default-model.js';
import { pngClaiming } from './test-support/png-header.js';
import { renderTextImage } from './test-support/render-text-image.js';

let model: OcrModel;
let png: Buffer;
beforeAll(async () => {
  model = await loadDefaultModel();
  png = await renderTextImage({ lines: ['Limits 1'] });
});
afterAll(() => model?.dispose());

async function codeAndMessage(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string }> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (reason: { code?: string; message: string }) => reason,
  );
  return { code: error.code, message: error.message };
}

describe('recognize rejects bad images with codes', () => {
  it('empty bytes: IMAGE_INVALID', async () => {
    expect(await codeAndMessage(model.recognize(new Uint8Array()))).toEqual({
      code: 'IMAGE_INVALID',
      message: 'Image is empty (0 bytes)',
    });
  });

  it('not bytes: IMAGE_INVALID', async () => {
    expect(await codeAndMessage(model.recognize('photo.png' as unknown as Uint8Array))).toEqual({
      code: 'IMAGE_INVALID',
      message: 'Image must be given as bytes (a Buffer or Uint8Array)',
    });
  });

  it('random bytes: IMAGE_INVALID, refused by signature before any decoder sees them', async () => {
    const random = Uint8Array.from({ length: 4096 }, (_, index) => (index * 7919 + 13) % 251);
    expect(await codeAndMessage(model.recognize(random))).toEqual({
      code: 'IMAGE_INVALID',
      message: 'Image format unknown is not accepted; send PNG, JPEG, WebP or TIFF',
    });
  });

  it('random bytes behind a PNG signature: IMAGE_INVALID from the decoder', async () => {
    const fake = Buffer.concat([png.subarray(0, 8), Buffer.alloc(2048, 0x5a)]);
    const { code, message } = await codeAndMessage(model.recognize(fake));
    expect(code).toBe('IMAGE_INVALID');
    expect(message).toMatch(/^Image cannot be decoded: /);
  });

  it('a truncated PNG: IMAGE_INVALID', async () => {
    const { code, message } = await codeAndMessage(
      model.recognize(png.subarray(0, Math.floor(png.length / 2))),
    );
    expect(code).toBe('IMAGE_INVALID');
    expect(message).toMatch(/^Image cannot be decoded: /);
  });

  it.each([
    ['svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
    ['gif', Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64')],
    ['pdf', Buffer.from('%PDF-1.7\n')],
  ])('a %s image: IMAGE_INVALID (only PNG, JPEG, WebP, TIFF)', async (format, bytes) => {
    expect(await codeAndMessage(model.recognize(bytes))).toEqual({
      code: 'IMAGE_INVALID',
      message: `Image format ${format} is not accepted; send PNG, JPEG, WebP or TIFF`,
    });
  });

  it('a header claiming 10^10 pixels is refused before decoding: IMAGE_TOO_LARGE', async () => {
    const bomb = pngClaiming(100_000, 100_000);
    expect(bomb.length).toBeLessThan(2000);
    const started = performance.now();
    expect(await codeAndMessage(model.recognize(bomb))).toEqual({
      code: 'IMAGE_TOO_LARGE',
      message: 'Image has 10000000000 pixels, more than the limit of 25000000 pixels',
    });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('byte and pixel limits are settings: IMAGE_TOO_LARGE', async () => {
    const strict = await loadDefaultModel({ maxImageSizeInBytes: 400, maxImagePixels: 10_000 });
    try {
      expect(await codeAndMessage(strict.recognize(png))).toEqual({
        code: 'IMAGE_TOO_LARGE',
        message: `Image is ${png.length} bytes, more than the limit of 400 bytes`,
      });
      const small = await sharp({
        create: { width: 200, height: 60, channels: 3, background: '#fff' },
      })
        .png()
        .toBuffer();
      expect(small.length).toBeLessThan(400);
      expect(await codeAndMessage(strict.recognize(small))).toEqual({
        code: 'IMAGE_TOO_LARGE',
        message: 'Image has 12000 pixels, more than the limit of 10000 pixels',
      });
    } finally {
      await strict.dispose();
    }
  });
});

describe('cancellation and disposal', () => {
  it('an aborted signal rejects with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client went away'));
    await expect(model.recognize(png, { signal: controller.signal })).rejects.toThrow(
      'client went away',
    );
  });

  it('aborting during a call stops it with an AbortError', async () => {
    const controller = new AbortController();
    const call = model.recognize(png, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('dispose waits for running calls, then refuses new ones: MODEL_NOT_AVAILABLE', async () => {
    const own = await loadDefaultModel();
    const running = own.recognize(png);
    const disposed = own.dispose();
    expect((await running).text).toBe('Limits 1');
    await disposed;
    await own.dispose();
    expect(await codeAndMessage(own.recognize(png))).toEqual({
      code: 'MODEL_NOT_AVAILABLE',
      message: 'The OCR model was disposed; load it again to use it',
    });
  });
});
