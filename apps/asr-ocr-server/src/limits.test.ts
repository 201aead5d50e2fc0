import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, textPng, toneWav } from './test-support/media.js';
import { createTestApp, createTestConfig } from './test-support/test-server.js';

const MAX_UPLOAD_BYTES = 120_000;
let app: FastifyInstance;
beforeAll(async () => {
  const config = await createTestConfig({
    env: { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), MAX_AUDIO_SECONDS: '1.5' },
    // One client here: its share of the queue is the whole queue.
    ocrEntry: {
      limits: { concurrency: 1, maxQueue: 3, maxQueuePerClient: 3, retryAfterInSeconds: 2 },
    },
  });
  expect(config.uploads).toEqual({
    maxUploadBytes: MAX_UPLOAD_BYTES,
    maxAudioDurationInSeconds: 1.5,
    maxImagePixels: 25_000_000,
    uploadBudgetBytes: 4 * MAX_UPLOAD_BYTES,
  });
  app = await createTestApp(config);
}, 60_000);
afterAll(() => app?.close());

const ocrRequest = async (text: string) => {
  const { payload, headers } = multipart([
    { name: 'image', filename: 'a.png', type: 'image/png', data: await textPng([text]) },
  ]);
  return app.inject({ method: 'POST', url: '/ocr', payload, headers });
};

describe('upload limits', () => {
  it('answers 413 for a multipart file over MAX_UPLOAD_BYTES', async () => {
    const { payload, headers } = multipart([
      { name: 'audio', filename: 'a.wav', type: 'audio/wav', data: toneWav(440, 5) },
    ]);
    const response = await app.inject({ method: 'POST', url: '/asr', payload, headers });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      success: false,
      text: '',
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: `The uploaded file is larger than the limit of ${MAX_UPLOAD_BYTES} bytes`,
      },
    });
  });

  it('answers 413 for a raw body over MAX_UPLOAD_BYTES', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/ocr',
      payload: Buffer.alloc(MAX_UPLOAD_BYTES + 1),
      headers: { 'content-type': 'image/png' },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers 413 AUDIO_TOO_LONG for audio over MAX_AUDIO_SECONDS, on /asr and /v1', async () => {
    const wav = toneWav(440, 2);
    expect(wav.length).toBeLessThan(MAX_UPLOAD_BYTES);
    const asr = multipart([{ name: 'audio', filename: 'a.wav', type: 'audio/wav', data: wav }]);
    const response = await app.inject({ method: 'POST', url: '/asr', ...asr });
    expect(response.statusCode).toBe(413);
    expect(response.json().error).toEqual({
      code: 'AUDIO_TOO_LONG',
      message: 'Audio is 2.0 s long; the limit is 1.5 s',
    });
    const v1 = multipart([
      { name: 'file', filename: 'a.wav', type: 'audio/wav', data: wav },
      { name: 'model', value: 'whisper-1' },
    ]);
    const openai = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', ...v1 });
    expect(openai.statusCode).toBe(413);
    expect(openai.json()).toEqual({
      error: {
        code: 'AUDIO_TOO_LONG',
        message: 'Audio is 2.0 s long; the limit is 1.5 s',
        type: 'invalid_request_error',
        param: null,
      },
    });
  });
});

describe('concurrent OCR requests', () => {
  it('queue behind the model limit and all complete', async () => {
    let maxPending = 0;
    const sampler = setInterval(() => {
      maxPending = Math.max(maxPending, app.models.requestStats('ocr').pendingCount);
    }, 2);
    const texts = ['Queue one 1', 'Queue two 2', 'Queue three 3', 'Queue four 4'];
    const responses = await Promise.all(texts.map(ocrRequest));
    clearInterval(sampler);
    expect(responses.map((response) => response.json().text)).toEqual(texts);
    expect(maxPending).toBeGreaterThanOrEqual(1);
    expect(app.models.requestStats('ocr')).toEqual({
      activeCount: 0,
      pendingCount: 0,
      concurrency: 1,
      maxQueue: 3,
    });
  });

  it('past the queue, answer 503 MODEL_BUSY with Retry-After in the seed shape', async () => {
    const responses = await Promise.all(
      Array.from({ length: 7 }, (_, index) => ocrRequest(`Burst ${index}`)),
    );
    const ok = responses.filter((response) => response.statusCode === 200);
    const full = responses.filter((response) => response.statusCode === 503);
    expect(ok.length + full.length).toBe(7);
    expect(ok.length).toBeGreaterThanOrEqual(4);
    expect(full.length).toBeGreaterThanOrEqual(1);
    for (const response of ok) expect(response.json().text).toMatch(/^Burst \d$/);
    // At least the configured 2 s; more once the mean OCR time says the queue takes longer.
    expect(Number(full[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(2);
    expect(full[0]!.json()).toMatchObject({ success: false, error: { code: 'MODEL_BUSY' } });
  });
});
