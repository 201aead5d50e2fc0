import type { FastifyInstance } from 'fastify';
import OpenAI, { BadRequestError, NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, toneWav } from './test-support/media.js';
import { createTestApp, createTestConfig } from './test-support/test-server.js';

let app: FastifyInstance;
let client: OpenAI;
beforeAll(async () => {
  app = await createTestApp(await createTestConfig());
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  client = new OpenAI({ baseURL: `${address}/v1`, apiKey: 'not-checked', maxRetries: 0 });
}, 60_000);
afterAll(() => app?.close());

describe('the official openai client on a real port', () => {
  it('audio.transcriptions.create returns the same text as /asr', async () => {
    const wav = toneWav(523);
    const seed = await app.inject({
      method: 'POST',
      url: '/asr',
      ...multipart([{ name: 'audio', filename: 'a.wav', type: 'audio/wav', data: wav }]),
    });
    const expected = seed.json().text as string;
    expect(expected.length).toBeGreaterThan(0);

    const json = await client.audio.transcriptions.create({
      file: await toFile(Buffer.from(wav), 'tone.wav'),
      model: 'whisper-1',
    });
    expect(json).toEqual({ text: expected });

    const text = await client.audio.transcriptions.create({
      file: await toFile(Buffer.from(wav), 'tone.wav', { type: 'audio/wav' }),
      model: 'whisper',
      response_format: 'text',
    });
    expect(text).toBe(expected);
  });

  it('verbose_json carries duration, language and segments', async () => {
    const verbose = await client.audio.transcriptions.create({
      file: await toFile(Buffer.from(toneWav(440, 3)), 'tone.wav'),
      model: 'whisper-1',
      response_format: 'verbose_json',
      language: 'fr',
    });
    expect(verbose).toMatchObject({ duration: 3, language: 'fr' });
    expect((verbose as unknown as { segments: unknown[] }).segments.length).toBeGreaterThan(0);
    expect(verbose.segments?.[0]?.end).toBeLessThanOrEqual(3);
  });

  it('audio.translations.create translates with task=translate, in every format', async () => {
    const wav = toneWav(523);
    const json = await client.audio.translations.create({
      file: await toFile(Buffer.from(wav), 'tone.wav'),
      model: 'whisper-1',
    });
    expect(typeof json.text).toBe('string');
    const verbose = await client.audio.translations.create({
      file: await toFile(Buffer.from(wav), 'tone.wav'),
      model: 'whisper-1',
      response_format: 'verbose_json',
    });
    // Timestamps change the decoding, so the verbose text may differ from the plain one.
    expect(verbose).toMatchObject({ task: 'translate', duration: 2 });
    expect((verbose as unknown as { segments: unknown[] }).segments.length).toBeGreaterThan(0);
    const srt = await client.audio.translations.create({
      file: await toFile(Buffer.from(wav), 'tone.wav'),
      model: 'whisper',
      response_format: 'srt',
    });
    expect(srt).toMatch(/^1\n00:00:00,000 --> /);
    // The same model and task through the seed route give the same text.
    const asr = await app.inject({
      method: 'POST',
      url: '/asr?task=translate',
      ...multipart([{ name: 'audio', filename: 'a.wav', type: 'audio/wav', data: wav }]),
    });
    expect(asr.json().text).toBe(json.text);
  });

  it("refuses what it cannot honour in OpenAI's error shape, naming the field", async () => {
    const wav = Buffer.from(toneWav());
    const cases: [Record<string, unknown>, string, string][] = [
      [{ prompt: 'Names: Ada.' }, 'prompt', 'REQUEST_UNSUPPORTED'],
      [{ temperature: 0.5 }, 'temperature', 'REQUEST_UNSUPPORTED'],
      [{ response_format: 'xml' }, 'response_format', 'REQUEST_INVALID'],
    ];
    for (const [extra, param, code] of cases) {
      const error = await client.audio.transcriptions
        .create({ file: await toFile(wav, 'tone.wav'), model: 'whisper-1', ...extra } as never)
        .catch((caught: unknown) => caught);
      expect(error, param).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, code, param, type: 'invalid_request_error' });
    }
    const translation = await client.audio.translations
      .create({ file: await toFile(wav, 'tone.wav'), model: 'whisper-1', language: 'fr' } as never)
      .catch((caught: unknown) => caught);
    expect(translation).toMatchObject({ status: 400, code: 'REQUEST_INVALID', param: 'language' });
    // temperature 0 is OpenAI's default and what greedy decoding does: accepted.
    const greedy = await client.audio.transcriptions.create({
      file: await toFile(wav, 'tone.wav'),
      model: 'whisper-1',
      temperature: 0,
    });
    expect(typeof greedy.text).toBe('string');
  });

  it('raises NotFoundError for a model the server does not have', async () => {
    const call = client.audio.transcriptions.create({
      file: await toFile(Buffer.from(toneWav()), 'tone.wav'),
      model: 'whisper-large',
    });
    await expect(call).rejects.toBeInstanceOf(NotFoundError);
    await expect(call).rejects.toMatchObject({
      status: 404,
      code: 'MODEL_NOT_REGISTERED',
      type: 'not_found_error',
      param: null,
    });
  });
});
