import { join } from 'node:path';
import { testModelAdapter } from '@model-loader/core/testing';
import { createOcrAdapter } from './create-ocr-adapter.js';
import { copyDefaultModel } from './test-support/model-folder.js';
import { renderTextImage } from './test-support/render-text-image.js';

// The suite every adapter runs (core's `testModelAdapter`), on a copy of the real PaddleOCR models.
testModelAdapter({
  name: 'ocr',
  adapter: createOcrAdapter({ threadCount: 1 }),
  async createValidModel(dir) {
    await copyDefaultModel(join(dir, 'ppocr'));
    return 'ppocr';
  },
  async check(model) {
    const result = await model.recognize(await renderTextImage({ lines: ['Suite 42'] }));
    if (result.text !== 'Suite 42') throw new Error(`read ${JSON.stringify(result.text)}`);
  },
});
