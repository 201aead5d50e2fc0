import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { handleOf, slowModel, startTestApp, waitFor } from './test-support/test-server.js';

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

function client(port: number): OpenAI {
  return new OpenAI({
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey: 'not-checked',
    maxRetries: 0,
  });
}

describe('the official openai client on a real port', () => {
  it('lists models, completes chats with and without streaming, and completes text', async () => {
    const app = await startTestApp();
    const openai = client(await listen(app));

    const models = await openai.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['summariser', 'bns_check']);

    const chat = await openai.chat.completions.create({
      model: 'summariser',
      messages: [
        { role: 'system', content: 'You summarise.' },
        { role: 'user', content: 'Summarise: the cat sat on the mat.' },
      ],
      max_tokens: 6,
      temperature: 0,
    });
    expect(chat.object).toBe('chat.completion');
    expect(chat.choices[0]?.message.role).toBe('assistant');
    expect(chat.choices[0]?.finish_reason).toBe('length');
    expect(chat.usage?.completion_tokens).toBe(6);

    const stream = await openai.chat.completions.create({
      model: 'summariser',
      messages: [
        { role: 'system', content: 'You summarise.' },
        { role: 'user', content: 'Summarise: the cat sat on the mat.' },
      ],
      max_tokens: 6,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed = '';
    const finishReasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]) finishReasons.push(chunk.choices[0].finish_reason);
      usage = chunk.usage ?? usage;
    }
    // Greedy decoding: streaming gives the same text as the answer above.
    expect(streamed).toBe(chat.choices[0]?.message.content);
    expect(finishReasons.at(-1)).toBe('length');
    expect(usage).toEqual(chat.usage);

    const completion = await openai.completions.create({
      model: 'bns_check',
      prompt: 'Once upon a time',
      max_tokens: 4,
    });
    expect(completion.object).toBe('text_completion');
    expect(completion.choices[0]?.finish_reason).toBe('length');
  });

  it('surfaces errors as OpenAI APIError with status, type and code', async () => {
    const app = await startTestApp();
    const openai = client(await listen(app));
    const unknown = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({
      status: 404,
      code: 'MODEL_NOT_REGISTERED',
      type: 'not_found_error',
      param: null,
    });
    const tooLong = await openai.completions
      .create({ model: 'summariser', prompt: 'hello world '.repeat(100), stream: true })
      .catch((error: unknown) => error);
    expect(tooLong).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooLong).toMatchObject({
      status: 400,
      code: 'CONTEXT_LENGTH_EXCEEDED',
      param: 'prompt',
    });
    expect((tooLong as Error).message).toContain('has a context of 512 tokens');
  });

  it('aborts the generation when the client disconnects and gives the sequence back', async () => {
    const app = await startTestApp({
      models: [
        {
          name: 'summariser',
          file: slowModel,
          options: { contextSize: 2048, parallelSequences: 1 },
        },
      ],
    });
    const port = await listen(app);
    for (const stream of [true, false]) {
      const started = performance.now();
      const body = JSON.stringify({
        model: 'summariser',
        messages: [{ role: 'user', content: 'Write a long story.' }],
        max_tokens: 1900,
        stream,
      });
      const call = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json' },
      });
      call.on('error', () => undefined);
      call.end(body);
      await waitFor(() => handleOf(app).pool.activeCount === 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      call.destroy();
      await waitFor(() => app.models.requestStats('summariser').activeCount === 0, 3000);
      expect(handleOf(app).pool).toEqual({ size: 1, activeCount: 0, pendingCount: 0 });
      // 1900 tokens of this model take about 8 s: the generation was stopped, not finished.
      expect(performance.now() - started).toBeLessThan(4000);
    }
    const after = await client(port).completions.create({
      model: 'summariser',
      prompt: 'x',
      max_tokens: 2,
    });
    expect(after.choices[0]?.finish_reason).toBe('length');
  });
});
