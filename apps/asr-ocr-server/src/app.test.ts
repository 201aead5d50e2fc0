import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSpeechModel } from './served-models.js';
import { multipart, pngClaiming, textPng, toneWav } from './test-support/media.js';
import { createTestApp, createTestConfig } from './test-support/test-server.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp(await createTestConfig());
}, 60_000);
afterAll(() => app?.close());

const audioPart = (data: Uint8Array, type = 'audio/wav', name = 'audio') => ({
  name,
  filename: 'clip.wav',
  type,
  data,
});
const imagePart = (data: Uint8Array, type = 'image/png', name = 'image') => ({
  name,
  filename: 'page.png',
  type,
  data,
});

async function post(url: string, form: Parameters<typeof multipart>[0]) {
  const { payload, headers } = multipart(form);
  return app.inject({ method: 'POST', url, payload, headers });
}

describe('start-up', () => {
  it('loads both models and reports healthy', async () => {
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({
      status: 'healthy',
      models_loaded: { whisper: true, ocr: true },
    });
  });
});

describe('POST /ocr', () => {
  it.each([
    [['Hello World']],
    [['Invoice 2024-07-15', 'Total: 1,234.56 EUR']],
    [['Model loader 42']],
  ])('reads %j exactly', async (lines) => {
    const response = await post('/ocr', [imagePart(await textPng(lines))]);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ success: true, text: lines.join('\n') });
    expect(body.lines.map((line: { text: string }) => line.text)).toEqual(lines);
    expect(body.lines[0].confidence).toBeGreaterThan(0.8);
    expect(body.lines[0].box).toHaveLength(4);
  });

  it('takes a raw image body and a JPEG', async () => {
    const jpeg = await sharp(await textPng(['Raw body 7']))
      .jpeg()
      .toBuffer();
    const response = await app.inject({
      method: 'POST',
      url: '/ocr',
      payload: jpeg,
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(response.json()).toMatchObject({ success: true, text: 'Raw body 7' });
  });
});

describe('POST /asr', () => {
  it("returns the fixture's transcript of generated audio", async () => {
    const wav = toneWav(440);
    const direct = await app.models.run('whisper', (model) =>
      asSpeechModel(model, 'whisper').transcribe(wav),
    );
    const response = await post('/asr', [audioPart(wav)]);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      success: true,
      text: direct.text,
      language: 'en',
      durationInSeconds: 2,
    });
    expect(direct.text).toMatch(/^[a-z ]+$/);
    // The same audio as a raw body gives the same text.
    const raw = await app.inject({
      method: 'POST',
      url: '/asr',
      payload: Buffer.from(wav),
      headers: { 'content-type': 'audio/wav' },
    });
    expect(raw.json().text).toBe(direct.text);
  });

  it('takes language, task and timestamps as form fields or query parameters', async () => {
    const response = await post('/asr?timestamps=true', [
      audioPart(toneWav(660)),
      { name: 'language', value: 'de' },
      { name: 'task', value: 'transcribe' },
    ]);
    const body = response.json();
    expect(body).toMatchObject({ success: true, language: 'de', durationInSeconds: 2 });
    expect(body.chunks.length).toBeGreaterThan(0);
    expect(body.chunks[0]).toHaveProperty('startInSeconds');
  });
});

describe('POST /v1/audio/transcriptions (inject)', () => {
  const form = (format?: string) => [
    audioPart(toneWav(440), 'audio/wav', 'file'),
    { name: 'model', value: 'whisper-1' },
    ...(format ? [{ name: 'response_format', value: format }] : []),
  ];

  it('answers json, text, verbose_json, srt and vtt', async () => {
    const json = (await post('/v1/audio/transcriptions', form())).json();
    expect(Object.keys(json)).toEqual(['text']);
    const text = await post('/v1/audio/transcriptions', form('text'));
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body).toBe(json.text);
    const verbose = (await post('/v1/audio/transcriptions', form('verbose_json'))).json();
    expect(verbose).toMatchObject({ task: 'transcribe', language: 'en', duration: 2 });
    for (const segment of verbose.segments) {
      expect(segment.end).toBeLessThanOrEqual(2);
      expect(segment.start).toBeLessThanOrEqual(segment.end);
    }
    const srt = (await post('/v1/audio/transcriptions', form('srt'))).body;
    expect(srt).toMatch(/^1\n00:00:00,000 --> 00:00:0\d,\d{3}\n/);
    const vtt = (await post('/v1/audio/transcriptions', form('vtt'))).body;
    expect(vtt).toMatch(/^WEBVTT\n\n00:00:00\.000 --> /);
  });

  it('names the model the server does not have and the missing model field', async () => {
    const unknown = await post('/v1/audio/transcriptions', [
      audioPart(toneWav(), 'audio/wav', 'file'),
      { name: 'model', value: 'gpt-4o-transcribe' },
    ]);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: {
        code: 'MODEL_NOT_REGISTERED',
        message: "No speech model 'gpt-4o-transcribe'. Speech models: whisper-1, whisper",
        type: 'not_found_error',
        param: null,
      },
    });
    const missing = await post('/v1/audio/transcriptions', [
      audioPart(toneWav(), 'audio/wav', 'file'),
    ]);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toEqual({
      code: 'REQUEST_INVALID',
      message: 'Invalid request: `model` is required (a speech model, or whisper-1)',
      type: 'invalid_request_error',
      param: 'model',
    });
  });
});

describe('bad uploads: a coded 400, 413 or 415, never a crash', () => {
  it.each([
    {
      what: 'empty audio',
      url: '/asr',
      form: () => [audioPart(new Uint8Array())],
      status: 400,
      code: 'AUDIO_INVALID',
      message: 'Audio is empty (0 bytes)',
    },
    {
      what: 'bytes that are not audio',
      url: '/asr',
      form: () => [audioPart(Buffer.from('this is not a sound file at all'.repeat(20)))],
      status: 400,
      code: 'AUDIO_INVALID',
    },
    {
      what: 'an image sent as audio',
      url: '/asr',
      form: async () => [imagePart(await textPng(['x']), 'image/png', 'audio')],
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      what: 'no file in the form',
      url: '/asr',
      form: () => [{ name: 'language', value: 'en' }],
      status: 400,
      code: 'REQUEST_INVALID',
      message: 'No file in the form: send the audio in the multipart file field "audio"',
    },
    {
      what: 'the file in the wrong field',
      url: '/asr',
      form: () => [audioPart(toneWav(), 'audio/wav', 'file')],
      status: 400,
      code: 'REQUEST_INVALID',
      message: 'Unexpected file field "file": send the audio in the field "audio"',
    },
    {
      what: 'two files',
      url: '/asr',
      form: () => [audioPart(toneWav()), audioPart(toneWav())],
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Send exactly one file (the field "audio")',
    },
    {
      what: 'an unknown option',
      url: '/asr',
      form: () => [audioPart(toneWav()), { name: 'lang', value: 'en' }],
      status: 400,
      code: 'REQUEST_INVALID',
      message: 'Invalid request: unknown field `lang`',
    },
    {
      what: 'a language Whisper does not know',
      url: '/asr',
      form: () => [audioPart(toneWav()), { name: 'language', value: 'xx' }],
      status: 400,
      code: 'REQUEST_INVALID',
      message:
        '`language` xx is not supported by this model; use a Whisper language code such as en, de, fr, zh',
    },
    {
      what: 'a bad task',
      url: '/asr',
      form: () => [audioPart(toneWav()), { name: 'task', value: 'summarise' }],
      status: 400,
      code: 'REQUEST_INVALID',
    },
    {
      what: 'an empty image',
      url: '/ocr',
      form: () => [imagePart(new Uint8Array())],
      status: 400,
      code: 'IMAGE_INVALID',
      message: 'Image is empty (0 bytes)',
    },
    {
      what: 'an SVG image',
      url: '/ocr',
      form: () => [
        imagePart(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'),
      ],
      status: 400,
      code: 'IMAGE_INVALID',
    },
    {
      what: 'a truncated PNG',
      url: '/ocr',
      form: async () => [imagePart((await textPng(['cut'])).subarray(0, 200))],
      status: 400,
      code: 'IMAGE_INVALID',
    },
    {
      what: 'a PNG header of 100 000 x 100 000 pixels',
      url: '/ocr',
      form: () => [imagePart(pngClaiming(100_000, 100_000))],
      status: 413,
      code: 'IMAGE_TOO_LARGE',
      message: 'Image has 10000000000 pixels, more than the limit of 25000000 pixels',
    },
    {
      what: 'audio sent as an image',
      url: '/ocr',
      form: () => [imagePart(toneWav(), 'audio/wav')],
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ])('$what on $url: $status $code', async ({ url, form, status, code, message }) => {
    const response = await post(url, await form());
    expect(response.statusCode).toBe(status);
    const body = response.json();
    expect(body).toMatchObject({ success: false, text: '', error: { code } });
    if (message) expect(body.error.message).toBe(message);
  });

  it('refuses a JSON body with 415 and a body with no content type', async () => {
    for (const url of ['/asr', '/ocr']) {
      const json = await app.inject({ method: 'POST', url, payload: { audio: 'x' } });
      expect(json.statusCode).toBe(415);
      expect(json.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const v1 = await app.inject({
      method: 'POST',
      url: '/v1/audio/transcriptions',
      payload: Buffer.from(toneWav()),
      headers: { 'content-type': 'audio/wav' },
    });
    expect(v1.statusCode).toBe(415);
    expect(v1.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const gif = await app.inject({
      method: 'POST',
      url: '/ocr',
      payload: 'GIF89a',
      headers: { 'content-type': 'text/csv' },
    });
    expect(gif.statusCode).toBe(415);
    expect(gif.json()).toMatchObject({ success: false, error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('keeps serving after all of them', async () => {
    expect((await app.inject('/health')).json().status).toBe('healthy');
    const response = await post('/ocr', [imagePart(await textPng(['Still here 9']))]);
    expect(response.json().text).toBe('Still here 9');
  });
});
