import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_OCR_CHECKSUMS } from './config/demo-models.js';
import { multipart, textPng, toneWav } from './test-support/media.js';
import { createTestApp, createTestConfig } from './test-support/test-server.js';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(options: Parameters<typeof createTestConfig>[0]) {
  const config = await createTestConfig(options);
  const app = await createTestApp(config);
  apps.push(app);
  const post = (url: string, form: Parameters<typeof multipart>[0]) =>
    app.inject({ method: 'POST', url, ...multipart(form) });
  const asr = () =>
    post('/asr', [{ name: 'audio', filename: 'a.wav', type: 'audio/wav', data: toneWav() }]);
  const ocr = async () =>
    post('/ocr', [
      { name: 'image', filename: 'a.png', type: 'image/png', data: await textPng(['Degraded 1']) },
    ]);
  return { app, config, post, asr, ocr };
}

describe('a broken optional OCR folder', () => {
  it('starts degraded: /ocr answers success false with the coded error, /asr works', async () => {
    const { app, config, asr, ocr } = await start({ ocr: 'broken' });
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'degraded',
      models_loaded: { whisper: true, ocr: false },
      errors: { ocr: expect.stringMatching(/^MODEL_FILE_CORRUPT: OCR recognition model /) },
    });
    expect((await app.inject('/health/ready')).statusCode).toBe(200);

    const response = await ocr();
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      success: false,
      text: '',
      error: { code: 'MODEL_NOT_AVAILABLE' },
    });
    expect(body.error.message).toMatch(/^Model 'ocr' is not available \(status: failed\)\./);
    expect(body.error.message).not.toContain(config.modelDir);

    expect((await asr()).json()).toMatchObject({ success: true, durationInSeconds: 2 });
  });

  it('with pinned checksums, fails on CHECKSUM_MISMATCH before onnxruntime reads it', async () => {
    const { app } = await start({ ocr: 'broken', ocrEntry: { checksum: DEMO_OCR_CHECKSUMS } });
    expect((await app.inject('/health')).json()).toMatchObject({
      status: 'degraded',
      errors: { ocr: expect.stringMatching(/^CHECKSUM_MISMATCH: Checksum mismatch!/) },
    });
  });
});

describe('a broken required Whisper folder', () => {
  it('is unhealthy: /asr answers success false, /v1 answers 503, /ocr still reads', async () => {
    const { app, post, asr, ocr } = await start({
      whisper: 'broken',
      ocrEntry: { checksum: DEMO_OCR_CHECKSUMS },
    });
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'unhealthy',
      models_loaded: { whisper: false, ocr: true },
    });

    const seed = await asr();
    expect(seed.statusCode).toBe(200);
    expect(seed.json()).toMatchObject({
      success: false,
      text: '',
      error: { code: 'MODEL_NOT_AVAILABLE' },
    });

    const openai = await post('/v1/audio/transcriptions', [
      { name: 'file', filename: 'a.wav', type: 'audio/wav', data: toneWav() },
      { name: 'model', value: 'whisper-1' },
    ]);
    expect(openai.statusCode).toBe(503);
    expect(openai.headers['retry-after']).toBe('1');
    expect(openai.json().error.code).toBe('MODEL_NOT_AVAILABLE');

    expect((await ocr()).json()).toMatchObject({ success: true, text: 'Degraded 1' });
  });
});
