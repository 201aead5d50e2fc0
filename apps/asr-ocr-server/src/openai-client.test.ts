import type { FastifyInstance } from 'fastify';
import OpenAI, { NotFoundError, toFile } from 'openai';
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
    expect(verbose.segments?.length).toBeGreaterThan(0);
    expect(verbose.segments?.[0]?.end).toBeLessThanOrEqual(3);
  });

  it('raises NotFoundError for a model the server does not have', async () => {
    const call = client.audio.transcriptions.create({
      file: await toFile(Buffer.from(toneWav()), 'tone.wav'),
      model: 'whisper-large',
    });
    await expect(call).rejects.toBeInstanceOf(NotFoundError);
    await expect(call).rejects.toMatchObject({ status: 404 });
  });
});
