import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/test-server.js';
import { DEMO_MODELS_FILE, DEMO_OCR_CHECKSUMS } from './demo-models.js';
import { loadAsrOcrConfig } from './load-asr-ocr-config.js';

describe('loadAsrOcrConfig', () => {
  it('with DEMO=1, prepares the demo models once and listens on 127.0.0.1:8081', async () => {
    const cwd = await tempDir();
    const demoModelDir = join(await tempDir(), 'models');
    const config = await loadAsrOcrConfig({ cwd, demoModelDir, env: { DEMO: '1' } });
    expect(config).toMatchObject({
      demo: true,
      host: '127.0.0.1',
      port: 8081,
      modelDir: demoModelDir,
      modelsFile: join(demoModelDir, DEMO_MODELS_FILE),
      uploads: {
        maxUploadBytes: 26_214_400,
        maxAudioDurationInSeconds: 600,
        maxImagePixels: 25_000_000,
        uploadBudgetBytes: 104_857_600,
      },
      rateLimit: { max: 120, timeWindowInMs: 60_000 },
    });
    expect(
      config.models.map(({ name, adapter, path, required }) => ({ name, adapter, path, required })),
    ).toEqual([
      { name: 'whisper', adapter: 'whisper', path: 'whisper-tiny-fixture', required: true },
      { name: 'ocr', adapter: 'ocr', path: 'ppocr-v4', required: false },
    ]);
    expect(config.models[1]?.checksum).toEqual(DEMO_OCR_CHECKSUMS);

    const encoder = join(demoModelDir, 'whisper-tiny-fixture', 'onnx', 'encoder_model.onnx');
    const before = await stat(encoder);
    await loadAsrOcrConfig({ cwd, demoModelDir, env: { DEMO: '1', PORT: '9000' } });
    expect((await stat(encoder)).mtimeMs).toBe(before.mtimeMs);
  });

  it('says CONFIG_INVALID with the fix when the demo models cannot be written', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'not-a-folder'), '');
    const error = await loadAsrOcrConfig({
      cwd,
      env: { DEMO: '1', MODEL_DIR: 'not-a-folder/models' },
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /^DEMO=1, but the demo models cannot be written into .*\(ENOTDIR\)\. Make MODEL_DIR a writable folder for the demo models, or set MODELS_FILE to your own models file and unset DEMO\.$/,
      ),
    });
    expect((error as Error).message).toContain(join(cwd, 'not-a-folder', 'models'));
  });

  it('without DEMO and without a models file: CONFIG_INVALID; models.json is found', async () => {
    const cwd = await tempDir();
    await expect(loadAsrOcrConfig({ cwd, env: {} })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await writeFile(
      join(cwd, 'models.json'),
      JSON.stringify({ models: [{ name: 'speech', adapter: 'whisper', path: 'whisper' }] }),
    );
    const config = await loadAsrOcrConfig({ cwd, env: {} });
    expect(config).toMatchObject({ demo: false, modelsFile: join(cwd, 'models.json') });
  });

  it('reads models.yaml from the working directory, still defaulting to port 8081', async () => {
    const cwd = await tempDir();
    await writeFile(
      join(cwd, 'models.yaml'),
      'models:\n  - { name: speech, adapter: whisper, path: whisper }\n',
    );
    const config = await loadAsrOcrConfig({ cwd, env: { HOST: '0.0.0.0' } });
    expect(config).toMatchObject({ demo: false, host: '0.0.0.0', port: 8081 });
    expect(config.rateLimit).toBeUndefined();
    expect(config.models.map((model) => model.name)).toEqual(['speech']);
  });

  it('stops with a message naming bad upload variables and unknown adapters', async () => {
    const cwd = await tempDir();
    await expect(
      loadAsrOcrConfig({ cwd, env: { MAX_UPLOAD_BYTES: 'lots', MAX_AUDIO_SECONDS: '-1' } }),
    ).rejects.toThrow(
      /^Invalid environment variables:\n- `MAX_UPLOAD_BYTES`: .*\n- `MAX_AUDIO_SECONDS`: .*\nFix or unset them and start again\.$/,
    );
    await writeFile(
      join(cwd, 'models.yaml'),
      'models:\n  - { name: llm, adapter: gguf, path: a.gguf }\n',
    );
    await expect(loadAsrOcrConfig({ cwd, env: {} })).rejects.toThrow(
      '- `models[0].adapter`: unknown adapter "gguf"; use one of: whisper, ocr',
    );
  });
});
