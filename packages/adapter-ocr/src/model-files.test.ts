import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrAdapter, defaultOcrModelFiles } from './index.js';
import { testContext } from './test-support/load-default-model.js';
import {
  copyDefaultModel,
  createTempModelDir,
  noiseBytes,
  type TempModelDir,
} from './test-support/model-folder.js';

const files = defaultOcrModelFiles;
let dir: TempModelDir;
beforeAll(async () => {
  dir = await createTempModelDir();
});
afterAll(() => dir?.remove());

/** A copy of the default model in its own folder, changed by `change`. */
async function brokenFolder(
  name: string,
  change: (folder: string) => Promise<void>,
): Promise<string> {
  const folder = join(dir.path, name);
  await copyDefaultModel(folder);
  await change(folder);
  return folder;
}

async function loadError(folder: string, settings = {}) {
  const error = await createOcrAdapter(settings)
    .load(folder, {}, testContext())
    .then(
      async (model) => {
        await model.dispose();
        return expect.unreachable('the load should fail');
      },
      (reason: { code?: string; message: string; isRetryable?: boolean }) => reason,
    );
  expect(error.message).not.toContain(dir.path);
  return { code: error.code, message: error.message, isRetryable: error.isRetryable };
}

describe('adapter.load refuses broken model folders with codes (without the core in front)', () => {
  it('a truncated recognition model: MODEL_FILE_CORRUPT, not retryable', async () => {
    const folder = await brokenFolder('truncated', (path) =>
      truncate(join(path, files.recognition), 1_000_000),
    );
    const error = await loadError(folder);
    expect(error).toMatchObject({ code: 'MODEL_FILE_CORRUPT', isRetryable: false });
    expect(error.message).toMatch(
      /^OCR recognition model ch_PP-OCRv4_rec_infer\.onnx is not a valid ONNX model: .*Protobuf parsing failed/,
    );
  });

  it('random bytes as the detection model: MODEL_FILE_CORRUPT', async () => {
    const folder = await brokenFolder('random', (path) =>
      writeFile(join(path, files.detection), noiseBytes(65_536)),
    );
    const error = await loadError(folder);
    expect(error.code).toBe('MODEL_FILE_CORRUPT');
    expect(error.message).toMatch(
      /^OCR detection model ch_PP-OCRv4_det_infer\.onnx is not a valid ONNX model: /,
    );
  });

  it('a missing dictionary: MODEL_FILE_NOT_FOUND', async () => {
    const folder = await brokenFolder('no-dictionary', (path) => rm(join(path, files.dictionary)));
    expect(await loadError(folder)).toEqual({
      code: 'MODEL_FILE_NOT_FOUND',
      message: 'Model file not found: ppocr_keys_v1.txt',
      isRetryable: false,
    });
  });

  it('a dictionary of another model (wrong class count): MODEL_FILE_CORRUPT', async () => {
    const folder = await brokenFolder('short-dictionary', async (path) => {
      const entries = (await readFile(join(path, files.dictionary), 'utf8')).split('\n');
      await writeFile(join(path, files.dictionary), entries.slice(0, 95).join('\n'));
    });
    expect(await loadError(folder)).toEqual({
      code: 'MODEL_FILE_CORRUPT',
      message:
        'OCR recognition model ch_PP-OCRv4_rec_infer.onnx does not fit: it predicts 6625 classes, the dictionary gives 97 (blank, 95 entries, space); are the dictionary and the model from the same release?',
      isRetryable: false,
    });
  });

  it('a dictionary that is not UTF-8 text: MODEL_FILE_CORRUPT', async () => {
    const folder = await brokenFolder('binary-dictionary', (path) =>
      writeFile(join(path, files.dictionary), Buffer.from([0xc3, 0x28, 0xa0, 0xa1])),
    );
    expect(await loadError(folder)).toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      message: 'OCR dictionary ppocr_keys_v1.txt is not UTF-8 text',
    });
  });

  it('model files swapped (recognition configured as detection): MODEL_FILE_CORRUPT', async () => {
    const folder = join(dir.path, 'swapped');
    await copyDefaultModel(folder);
    const error = await loadError(folder, {
      files: { detection: files.recognition, recognition: files.detection },
    });
    expect(error.code).toBe('MODEL_FILE_CORRUPT');
    expect(error.message).toMatch(
      /^OCR detection model ch_PP-OCRv4_rec_infer\.onnx does not fit: expected a probability map/,
    );
  });

  it('an aborted load rejects with the signal reason', async () => {
    const folder = join(dir.path, 'abort');
    await copyDefaultModel(folder);
    const controller = new AbortController();
    const load = createOcrAdapter().load(folder, {}, testContext(controller.signal));
    controller.abort(new Error('shutting down'));
    await expect(load).rejects.toThrow('shutting down');
  });
});

describe('settings are validated: CONFIG_INVALID', () => {
  it('names the bad field of the adapter settings', () => {
    expect(() => createOcrAdapter({ maxImagePixels: -1 })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/^Invalid OCR adapter settings: `maxImagePixels`: /),
      }),
    );
    expect(() => createOcrAdapter({ files: { dictionary: '../keys.txt' } })).toThrow(
      'Invalid OCR adapter settings: `files.dictionary`: must be a path inside the model folder',
    );
    expect(() => createOcrAdapter({ unknownSetting: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('names the bad field of per-model options at load', async () => {
    await expect(
      createOcrAdapter().load(dir.path, { binarizationThreshold: 2 }, testContext()),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^Invalid OCR model options: `binarizationThreshold`: /),
    });
  });

  it('lists the four files as required, ONNX ones with their format', () => {
    expect(createOcrAdapter({ files: { dictionary: 'keys/dict.txt' } }).requiredFiles).toEqual([
      { path: 'ch_PP-OCRv4_det_infer.onnx', format: 'onnx' },
      { path: 'ch_PP-OCRv4_rec_infer.onnx', format: 'onnx' },
      { path: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', format: 'onnx' },
      { path: 'keys/dict.txt' },
    ]);
  });
});
