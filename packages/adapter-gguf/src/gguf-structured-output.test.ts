import { join } from 'node:path';
import { writeTinyGguf } from '@model-loader/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgufAdapter } from './create-gguf-adapter.js';
import type { GgufModelHandle } from './gguf-model-handle.js';
import { useTempDir } from './test-support/temp-files.js';
import { getTestLlama } from './test-support/test-llama.js';

const llama = await getTestLlama();
const adapter = createGgufAdapter({ llama, threadCount: 1, gpu: false });
const temp = useTempDir();
let model: GgufModelHandle;

const weather = {
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string', maxLength: 12 },
      unit: { enum: ['celsius', 'fahrenheit'] },
    },
  },
};
const time = {
  name: 'get_time',
  parameters: { type: 'object', properties: { zone: { enum: ['UTC', 'CET'] } } },
};

beforeAll(async () => {
  await temp.write('.keep', new Uint8Array());
  await writeTinyGguf(join(temp.dir(), 'tiny.gguf'));
  model = await adapter.load(join(temp.dir(), 'tiny.gguf'), { contextSize: 2048 }, {
    signal: new AbortController().signal,
    attempt: 1,
    modelName: 'tiny',
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    onProgress() {},
  } as unknown as Parameters<typeof adapter.load>[2]);
});
afterAll(async () => {
  await model?.dispose();
});

describe('constrained decoding on the random-weight model', () => {
  it('json_schema output parses and matches the schema, at temperature 1 with several seeds', async () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', maxLength: 10 },
        age: { type: 'integer' },
        score: { type: 'number' },
        admin: { type: 'boolean' },
        colour: { enum: ['red', 'green'] },
      },
    };
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const result = await model.chat([{ role: 'user', content: 'Describe a user.' }], {
        temperature: 1,
        seed,
        maxTokens: 200,
        responseFormat: { type: 'json_schema', schema },
      });
      expect(result.finishReason).toBe('stop');
      const value = JSON.parse(result.text) as Record<string, unknown>;
      expect(Object.keys(value)).toEqual(['name', 'age', 'score', 'admin', 'colour']);
      expect(typeof value.name).toBe('string');
      // llama.cpp counts `maxLength` in decoded characters; invalid UTF-8 that the random model
      // writes with byte tokens decodes to several U+FFFD, so the length is not asserted here.
      expect(Number.isInteger(value.age)).toBe(true);
      expect(Number.isFinite(value.score)).toBe(true);
      expect(typeof value.admin).toBe('boolean');
      expect(['red', 'green']).toContain(value.colour);
    }
  });

  it('json_object output is a JSON object when it ends before maxTokens', async () => {
    const result = await model.complete('{', {
      temperature: 1,
      seed: 4,
      maxTokens: 400,
      responseFormat: { type: 'json_object' },
    });
    if (result.finishReason === 'stop') {
      expect(typeof JSON.parse(result.text)).toBe('object');
    } else {
      expect(result.text.startsWith('{')).toBe(true);
    }
  });
});

describe('tool calls', () => {
  it('a named tool is called with arguments matching its schema', async () => {
    const result = await model.chat([{ role: 'user', content: 'Weather in Paris?' }], {
      temperature: 1,
      seed: 1,
      maxTokens: 100,
      tools: [weather, time],
      toolChoice: { name: 'get_weather' },
    });
    expect(result.finishReason).toBe('tool_calls');
    expect(result.text).toBe('');
    expect(result.toolCalls).toHaveLength(1);
    const call = result.toolCalls?.[0];
    expect(call?.name).toBe('get_weather');
    const args = JSON.parse(call?.arguments ?? '') as { city: string; unit: string };
    expect(typeof args.city).toBe('string');
    expect(['celsius', 'fahrenheit']).toContain(args.unit);
  });

  it('required picks one of the tools; history with earlier calls and results is accepted', async () => {
    const result = await model.chat(
      [
        { role: 'user', content: 'Time?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'call_1', name: 'get_time', arguments: '{"zone":"UTC"}' }],
        },
        { role: 'tool', toolCallId: 'call_1', content: '12:00' },
        { role: 'user', content: 'And the weather?' },
      ],
      { temperature: 1, seed: 2, maxTokens: 100, tools: [weather, time], toolChoice: 'required' },
    );
    expect(result.finishReason).toBe('tool_calls');
    const call = result.toolCalls?.[0];
    expect(['get_weather', 'get_time']).toContain(call?.name);
    expect(typeof JSON.parse(call?.arguments ?? '')).toBe('object');
  });

  it('auto leaves the decision to the chat template: the random model answers with text', async () => {
    const result = await model.chat([{ role: 'user', content: 'Weather?' }], {
      temperature: 0,
      maxTokens: 8,
      tools: [weather],
      toolChoice: 'auto',
    });
    expect(result.finishReason).toBe('length');
    expect(result.toolCalls).toBeUndefined();
    expect(result.text.length).toBeGreaterThan(0);
  });
});

describe('penalties and embeddings', () => {
  it('a strong presence penalty changes the greedy output', async () => {
    const messages = [{ role: 'user' as const, content: 'Say something.' }];
    const plain = await model.chat(messages, { temperature: 0, maxTokens: 40 });
    const penalised = await model.chat(messages, {
      temperature: 0,
      maxTokens: 40,
      presencePenalty: 2,
      frequencyPenalty: 2,
    });
    expect(penalised.usage.completionTokens).toBe(40);
    expect(penalised.text).not.toBe(plain.text);
  });

  it('embeds several inputs into vectors of the model width, deterministically', async () => {
    const first = await model.embed(['hello world', 'the cat']);
    expect(first.embeddings).toHaveLength(2);
    expect(first.embeddings[0]).toHaveLength(32);
    expect(first.embeddings[0]).not.toEqual(first.embeddings[1]);
    expect(first.promptTokens).toBeGreaterThan(2);
    const again = await model.embed(['hello world']);
    expect(again.embeddings[0]).toEqual(first.embeddings[0]);
    expect(structuredClone(first)).toEqual(first);
  });
});
