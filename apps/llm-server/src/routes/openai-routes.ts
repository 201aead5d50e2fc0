import { randomUUID } from 'node:crypto';
import type { GgufToolCall, GgufUsage } from '@model-loader/adapter-gguf';
import type { FastifyInstance } from 'fastify';
import { type GenerationRequest, runGeneration } from '../generation/run-generation.js';
import { openAiSampling, toChatGeneration } from './chat-request.js';
import { registerEmbeddingsRoute } from './embeddings-route.js';
import type { OpenStreams } from './open-streams.js';
import { registerModelRoutes } from './openai-model-routes.js';
import { CHAT_REFUSALS, COMPLETION_REFUSALS, refuseUnsupported } from './refuse-unsupported.js';
import { chatCompletionBody, completionBody } from './request-schemas.js';
import { orUndefined, stopList, type ZodApp } from './route-types.js';
import { streamEvents } from './stream-events.js';

function toUsage(usage: GgufUsage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
  };
}

function toToolCalls(calls: readonly GgufToolCall[]) {
  return calls.map((call) => ({
    id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
}

/**
 * OpenAI-compatible routes under `/v1`: `GET /models`, `GET /models/{id}`,
 * `POST /chat/completions` (JSON mode, JSON schema, tools), `POST /completions` and
 * `POST /embeddings`, with `stream: true` as server-sent events; errors in OpenAI's shape. Every
 * field is honoured or refused with 400.
 */
export function registerOpenAiRoutes(
  routes: ZodApp,
  app: FastifyInstance,
  streams: OpenStreams,
): void {
  registerModelRoutes(routes, app);
  registerEmbeddingsRoute(routes, app);

  routes.post(
    '/chat/completions',
    { schema: { body: chatCompletionBody } },
    async (request, reply) => {
      const body = request.body;
      refuseUnsupported(body, CHAT_REFUSALS);
      if (body.user) request.log.info({ user: body.user }, 'chat completion for end user');
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const generation = toChatGeneration(body, stopList(body.stop));
      if (body.stream) {
        const chunk = (delta: object, finishReason: string | null) => ({
          id,
          object: 'chat.completion.chunk',
          created,
          model: body.model,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        });
        await streamEvents(app, reply, streams, generation, {
          first: () => chunk({ role: 'assistant', content: '' }, null),
          chunk: (text) => chunk({ content: text }, null),
          last: (result) => [
            ...toToolCalls(result.toolCalls ?? []).flatMap((call, index) => [
              chunk(
                {
                  tool_calls: [
                    {
                      index,
                      id: call.id,
                      type: 'function',
                      function: { name: call.function.name, arguments: '' },
                    },
                  ],
                },
                null,
              ),
              chunk(
                { tool_calls: [{ index, function: { arguments: call.function.arguments } }] },
                null,
              ),
            ]),
            chunk({}, result.finishReason),
          ],
          ...(body.stream_options?.include_usage
            ? {
                usage: (usage: GgufUsage) => ({
                  id,
                  object: 'chat.completion.chunk',
                  created,
                  model: body.model,
                  choices: [],
                  usage: toUsage(usage),
                }),
              }
            : {}),
        });
        return reply;
      }
      const result = await runGeneration(app, reply, generation);
      const toolCalls = toToolCalls(result.toolCalls ?? []);
      return {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: toolCalls.length ? null : result.text,
              refusal: null,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: result.finishReason,
          },
        ],
        usage: toUsage(result.usage),
      };
    },
  );

  routes.post('/completions', { schema: { body: completionBody } }, async (request, reply) => {
    const body = request.body;
    refuseUnsupported(body, COMPLETION_REFUSALS);
    if (body.user) request.log.info({ user: body.user }, 'completion for end user');
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const prompt = typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? '');
    const generation: GenerationRequest = {
      modelName: body.model,
      input: { kind: 'complete', prompt },
      maxTokens: orUndefined(body.max_tokens),
      stop: stopList(body.stop),
      ...openAiSampling(body),
    };
    const choice = (text: string, finishReason: string | null) => ({
      id,
      object: 'text_completion',
      created,
      model: body.model,
      choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    });
    if (body.stream) {
      await streamEvents(app, reply, streams, generation, {
        chunk: (text) => choice(text, null),
        last: (result) => [choice('', result.finishReason)],
        ...(body.stream_options?.include_usage
          ? {
              usage: (usage: GgufUsage) => ({
                ...choice('', null),
                choices: [],
                usage: toUsage(usage),
              }),
            }
          : {}),
      });
      return reply;
    }
    const result = await runGeneration(app, reply, generation);
    return { ...choice(result.text, result.finishReason), usage: toUsage(result.usage) };
  });
}
