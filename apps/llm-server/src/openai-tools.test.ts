import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { listenWithClient } from './test-support/openai-client.js';
import { startTestApp } from './test-support/test-server.js';

const models = [{ name: 'summariser', options: { contextSize: 2048, parallelSequences: 1 } }];

const WeatherArgs = z.object({
  city: z.enum(['Paris', 'Oslo', 'Lima']),
  days: z.number().int(),
  unit: z.enum(['celsius', 'fahrenheit']),
});
const TimeArgs = z.object({ zone: z.enum(['UTC', 'CET']) });

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather forecast of a city',
      parameters: z.toJSONSchema(WeatherArgs) as Record<string, unknown>,
    },
  },
  {
    type: 'function',
    function: { name: 'get_time', parameters: z.toJSONSchema(TimeArgs) as Record<string, unknown> },
  },
];
const argsOf = { get_weather: WeatherArgs, get_time: TimeArgs } as const;

describe('tools through the official openai client', () => {
  it('a named tool_choice answers with a tool call whose arguments parse against its schema', async () => {
    const openai = await listenWithClient(await startTestApp({ models }));
    for (const seed of [1, 2]) {
      const completion = await openai.chat.completions.create({
        model: 'summariser',
        messages: [{ role: 'user', content: 'Weather in Paris for 3 days?' }],
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        seed,
      });
      const choice = completion.choices[0];
      expect(choice?.finish_reason).toBe('tool_calls');
      expect(choice?.message.content).toBeNull();
      const call = choice?.message.tool_calls?.[0];
      expect(call?.type).toBe('function');
      expect(call?.id).toMatch(/^call_[0-9a-f]{24}$/);
      if (call?.type !== 'function') throw new Error('not a function call');
      expect(call.function.name).toBe('get_weather');
      expect(WeatherArgs.safeParse(JSON.parse(call.function.arguments)).success).toBe(true);
    }
  });

  it('required picks a tool; the call, its tool result and a new question are accepted as history', async () => {
    const openai = await listenWithClient(await startTestApp({ models }));
    const first = await openai.chat.completions.create({
      model: 'summariser',
      messages: [{ role: 'user', content: 'What time is it?' }],
      tools,
      tool_choice: 'required',
      seed: 3,
    });
    const call = first.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('no function call');
    const name = call.function.name as keyof typeof argsOf;
    expect(Object.keys(argsOf)).toContain(name);
    expect(argsOf[name].safeParse(JSON.parse(call.function.arguments)).success).toBe(true);

    const second = await openai.chat.completions.create({
      model: 'summariser',
      messages: [
        { role: 'user', content: 'What time is it?' },
        first.choices[0]?.message as OpenAI.ChatCompletionAssistantMessageParam,
        { role: 'tool', tool_call_id: call.id, content: '{"time":"12:00"}' },
        { role: 'user', content: 'Thanks. Say it in words.' },
      ],
      tools,
      tool_choice: 'none',
      max_tokens: 5,
    });
    expect(second.choices[0]?.finish_reason).toBe('length');
    expect(second.choices[0]?.message.tool_calls).toBeUndefined();
    expect(second.usage?.completion_tokens).toBe(5);
  });

  it('streams the tool call as deltas that the client reassembles', async () => {
    const openai = await listenWithClient(await startTestApp({ models }));
    const stream = openai.chat.completions.stream({
      model: 'summariser',
      messages: [{ role: 'user', content: 'Time in Europe?' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const deltas: unknown[] = [];
    stream.on('chunk', (chunk) => {
      if (chunk.choices[0]?.delta.tool_calls) deltas.push(chunk.choices[0].delta.tool_calls);
    });
    const final = await stream.finalChatCompletion();
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('no function call');
    expect(call.function.name).toBe('get_time');
    expect(TimeArgs.safeParse(JSON.parse(call.function.arguments)).success).toBe(true);
  });

  it('auto lets the chat template decide: the random-weight model answers with text', async () => {
    const openai = await listenWithClient(await startTestApp({ models }));
    const completion = await openai.chat.completions.create({
      model: 'summariser',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools,
      tool_choice: 'auto',
      temperature: 0,
      max_tokens: 8,
    });
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
  });

  it('refuses a tool_choice naming a missing tool and a tool message answering no call', async () => {
    const openai = await listenWithClient(await startTestApp({ models }));
    const missing = await openai.chat.completions
      .create({
        model: 'summariser',
        messages: [{ role: 'user', content: 'x' }],
        tools,
        tool_choice: { type: 'function', function: { name: 'nope' } },
      })
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({
      status: 400,
      code: 'REQUEST_INVALID',
      param: 'tool_choice.function.name',
    });
    const orphan = await openai.chat.completions
      .create({
        model: 'summariser',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'tool', tool_call_id: 'call_x', content: '1' },
        ],
      })
      .catch((error: unknown) => error);
    expect(orphan).toMatchObject({
      status: 400,
      code: 'REQUEST_INVALID',
      param: 'messages[1].tool_call_id',
    });
  });
});
