import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { listenWithClient, rejection } from './test-support/openai-client.js';
import { startTestApp } from './test-support/test-server.js';

const question = [{ role: 'user' as const, content: 'Tell me a story.' }];

describe('sampling fields through the official openai client', () => {
  it('samples at temperature 1 when none is given (not greedy), reproducibly with a seed', async () => {
    const openai = await listenWithClient(await startTestApp());
    const ask = (extra: object) =>
      openai.chat.completions
        .create({ model: 'summariser', messages: question, max_tokens: 12, ...extra })
        .then((completion) => completion.choices[0]?.message.content);
    const greedy = await ask({ temperature: 0 });
    const sampled = await Promise.all([1, 2, 3].map((seed) => ask({ seed })));
    expect(sampled.some((text) => text !== greedy)).toBe(true);
    expect(new Set(sampled).size).toBeGreaterThan(1);
    expect(await ask({ seed: 2 })).toBe(sampled[1]);
    expect(await ask({ seed: 2, temperature: 1 })).toBe(sampled[1]);
  });

  it('presence_penalty and frequency_penalty change the greedy output', async () => {
    const openai = await listenWithClient(await startTestApp());
    const ask = (extra: object) =>
      openai.chat.completions
        .create({
          model: 'summariser',
          messages: question,
          max_tokens: 40,
          temperature: 0,
          ...extra,
        })
        .then((completion) => completion.choices[0]?.message.content);
    const plain = await ask({});
    expect(await ask({ presence_penalty: 0, frequency_penalty: 0 })).toBe(plain);
    expect(await ask({ presence_penalty: 2 })).not.toBe(plain);
    expect(await ask({ frequency_penalty: 2 })).not.toBe(plain);
    const completion = await openai.completions.create({
      model: 'summariser',
      prompt: 'Once',
      max_tokens: 20,
      temperature: 0,
      frequency_penalty: -2,
    });
    expect(completion.usage?.completion_tokens).toBe(20);
  });

  it('refuses logprobs, logit_bias and other fields it cannot honour, naming them', async () => {
    const openai = await listenWithClient(await startTestApp());
    const cases: [Record<string, unknown>, string][] = [
      [{ logprobs: true }, 'logprobs'],
      [{ top_logprobs: 2 }, 'top_logprobs'],
      [{ logit_bias: { '42': 5 } }, 'logit_bias'],
      [{ n: 3 }, 'n'],
      [{ store: true }, 'store'],
      [{ modalities: ['text', 'audio'] }, 'modalities'],
      [{ reasoning_effort: 'high' }, 'reasoning_effort'],
    ];
    for (const [extra, param] of cases) {
      const error = await rejection(
        openai.chat.completions.create({
          model: 'summariser',
          messages: question,
          ...extra,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming),
      );
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({
        code: 'REQUEST_UNSUPPORTED',
        param,
        type: 'invalid_request_error',
      });
    }
    // Harmless values of those fields are accepted.
    const fine = await openai.chat.completions.create({
      model: 'summariser',
      messages: question,
      max_tokens: 2,
      logprobs: false,
      n: 1,
      store: false,
      logit_bias: {},
      parallel_tool_calls: false,
      user: 'someone',
    });
    expect(fine.choices[0]?.logprobs).toBeNull();
    const completion = await rejection(
      openai.completions.create({ model: 'summariser', prompt: 'x', logprobs: 2 }),
    );
    expect(completion).toMatchObject({ code: 'REQUEST_UNSUPPORTED', param: 'logprobs' });
  });

  it('refuses unknown fields and names the field of every validation error', async () => {
    const openai = await listenWithClient(await startTestApp());
    const cases: [Record<string, unknown>, string, string][] = [
      [{ not_a_field: 1 }, 'not_a_field', 'REQUEST_FIELD_UNKNOWN'],
      [{ temperature: 5 }, 'temperature', 'REQUEST_INVALID'],
      [{ max_tokens: 0 }, 'max_tokens', 'REQUEST_INVALID'],
      [{ presence_penalty: 3 }, 'presence_penalty', 'REQUEST_INVALID'],
      [{ messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role', 'REQUEST_INVALID'],
      [
        { messages: [{ role: 'user', content: 'x', extra: 1 }] },
        'messages[0].extra',
        'REQUEST_FIELD_UNKNOWN',
      ],
      [
        { stream_options: { include_usage: true, other: 1 } },
        'stream_options.other',
        'REQUEST_FIELD_UNKNOWN',
      ],
      [{ response_format: { type: 'yaml' } }, 'response_format.type', 'REQUEST_INVALID'],
      [
        { messages: [{ role: 'user', content: 'x', name: 'bob' }] },
        'messages[0].name',
        'REQUEST_UNSUPPORTED',
      ],
    ];
    for (const [extra, param, code] of cases) {
      const error = await rejection(
        openai.chat.completions.create({
          model: 'summariser',
          messages: question,
          ...extra,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming),
      );
      expect(error.status, param).toBe(400);
      expect({ code: error.code, param: error.param }).toEqual({ code, param });
      expect(error.message).toContain(param);
    }
  });
});

describe('models and embeddings through the official openai client', () => {
  it('models.retrieve answers a registered model and 404 in OpenAI shape for an unknown one', async () => {
    const openai = await listenWithClient(await startTestApp());
    const model = await openai.models.retrieve('summariser');
    expect(model).toMatchObject({ id: 'summariser', object: 'model', owned_by: 'model-loader' });
    const unknown = await rejection(openai.models.retrieve('gpt-4o'));
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown).toMatchObject({ code: 'MODEL_NOT_REGISTERED', type: 'not_found_error' });
  });

  it('embeds a string and a list, as base64 (the client default) and as floats', async () => {
    const openai = await listenWithClient(await startTestApp());
    const single = await openai.embeddings.create({ model: 'summariser', input: 'hello world' });
    expect(single.object).toBe('list');
    expect(single.data).toHaveLength(1);
    expect(single.data[0]?.embedding).toHaveLength(32);
    expect(single.usage.prompt_tokens).toBeGreaterThan(0);
    expect(single.usage.total_tokens).toBe(single.usage.prompt_tokens);

    const floats = await openai.embeddings.create({
      model: 'summariser',
      input: ['hello world', 'the cat sat'],
      encoding_format: 'float',
    });
    expect(floats.data.map((item) => item.index)).toEqual([0, 1]);
    expect(floats.data[1]?.embedding).not.toEqual(floats.data[0]?.embedding);
    // base64 carries float32: the decoded vector equals the float one to float32 precision.
    const decoded = single.data[0]?.embedding ?? [];
    expect(decoded).toEqual(floats.data[0]?.embedding.map((value) => Math.fround(value)));

    const raw = await fetch(`${openai.baseURL}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'summariser',
        input: 'hello world',
        encoding_format: 'base64',
      }),
    }).then((response) => response.json() as Promise<{ data: { embedding: string }[] }>);
    expect(Buffer.from(raw.data[0]?.embedding ?? '', 'base64')).toHaveLength(32 * 4);

    const empty = await rejection(openai.embeddings.create({ model: 'summariser', input: [''] }));
    expect(empty).toMatchObject({ status: 400, code: 'REQUEST_INVALID', param: 'input[0]' });
    const dims = await rejection(
      openai.embeddings.create({ model: 'summariser', input: 'x', dimensions: 8 }),
    );
    expect(dims).toMatchObject({ code: 'REQUEST_UNSUPPORTED', param: 'dimensions' });
    const tooLong = await rejection(
      openai.embeddings.create({ model: 'summariser', input: ['ok', 'hello world '.repeat(300)] }),
    );
    expect(tooLong).toMatchObject({ code: 'CONTEXT_LENGTH_EXCEEDED', param: 'input[1]' });
  });
});
