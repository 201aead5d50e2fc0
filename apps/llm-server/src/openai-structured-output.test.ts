import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listenWithClient, rejection } from './test-support/openai-client.js';
import { startTestApp } from './test-support/test-server.js';

/** The demo's summariser: a random-weight model with the demo's context. */
const demoLike = [
  {
    name: 'summariser',
    file: { seed: 1, name: 'tiny-summariser' },
    options: { contextSize: 2048, parallelSequences: 1 },
  },
];

const Thing = z.object({
  colour: z.enum(['red', 'green', 'blue']),
  count: z.number().int(),
  ratio: z.number(),
  note: z.string(),
  maybe: z.string().nullable(),
  tags: z.array(z.enum(['a', 'b'])).max(3),
  inner: z.object({ flag: z.boolean() }),
});

describe('response_format through the official openai client', () => {
  it('chat.completions.parse with zodResponseFormat returns a parsed object, at the default temperature', async () => {
    const app = await startTestApp({ models: demoLike });
    const openai = await listenWithClient(app);
    for (const seed of [1, 2, 3]) {
      const completion = await openai.chat.completions.parse({
        model: 'summariser',
        messages: [{ role: 'user', content: 'Describe a thing as JSON.' }],
        response_format: zodResponseFormat(Thing, 'thing'),
        seed,
      });
      const choice = completion.choices[0];
      expect(choice?.finish_reason).toBe('stop');
      // parse() ran the zod schema on the content: the grammar made it match.
      expect(Thing.parse(choice?.message.parsed)).toEqual(choice?.message.parsed);
      expect(JSON.parse(choice?.message.content ?? '')).toEqual(choice?.message.parsed);
    }
  });

  it('json_object gives a JSON object, also when streamed', async () => {
    const app = await startTestApp({ models: demoLike });
    const openai = await listenWithClient(app);
    const plain = await openai.chat.completions.create({
      model: 'summariser',
      messages: [{ role: 'user', content: 'JSON please.' }],
      response_format: { type: 'json_object' },
      temperature: 0,
    });
    expect(plain.choices[0]?.finish_reason).toBe('stop');
    const value = JSON.parse(plain.choices[0]?.message.content ?? '');
    expect(typeof value).toBe('object');
    expect(Array.isArray(value)).toBe(false);

    const stream = await openai.chat.completions.create({
      model: 'summariser',
      messages: [{ role: 'user', content: 'JSON please.' }],
      response_format: zodResponseFormat(Thing, 'thing'),
      seed: 7,
      stream: true,
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      chunks++;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(Thing.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it('refuses schemas the grammar cannot enforce, naming the keyword', async () => {
    const app = await startTestApp({ models: demoLike });
    const openai = await listenWithClient(app);
    const error = await rejection(
      openai.chat.completions.create({
        model: 'summariser',
        messages: [{ role: 'user', content: 'x' }],
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'x',
            schema: {
              type: 'object',
              properties: { code: { type: 'string', pattern: '^[A-Z]+$' } },
            },
          },
        },
      }),
    );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      code: 'JSON_SCHEMA_UNSUPPORTED',
      param: 'response_format.json_schema.schema.properties.code.pattern',
      type: 'invalid_request_error',
    });
  });
});
