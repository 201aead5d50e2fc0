import { randomUUID } from 'node:crypto';
import type { GgufChatMessage, GgufUsage } from '@model-loader/adapter-gguf';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  type GenerationRequest,
  runGeneration,
  streamGeneration,
} from '../generation/run-generation.js';
import { toOpenAiErrorBody, toRouteErrorResponse } from './error-responses.js';
import {
  type ChatCompletionBody,
  type CompletionBody,
  chatCompletionBody,
  completionBody,
} from './request-schemas.js';
import { orUndefined, stopList, type ZodApp } from './route-types.js';
import { openSse, type SseWriter } from './sse-writer.js';

function toUsage(usage: GgufUsage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
  };
}

function toMessages(messages: ChatCompletionBody['messages']): GgufChatMessage[] {
  return messages.map((message) => ({
    // `developer` is OpenAI's newer name for `system`.
    role: message.role === 'developer' ? 'system' : message.role,
    content:
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => part.text).join(''),
  }));
}

function sampling(body: ChatCompletionBody | CompletionBody) {
  return {
    temperature: orUndefined(body.temperature),
    topP: orUndefined(body.top_p),
    seed: orUndefined(body.seed),
    stop: stopList(body.stop),
  };
}

/**
 * Streams a generation as server-sent events ending with `data: [DONE]`. Errors before the first
 * event answer as JSON (status and OpenAI shape); later ones are sent as an `error` event.
 */
async function streamEvents(
  app: FastifyInstance,
  reply: FastifyReply,
  request: GenerationRequest,
  events: {
    first?: () => unknown;
    chunk: (text: string) => unknown;
    last: (finishReason: string) => unknown;
    usage?: (usage: GgufUsage) => unknown;
  },
): Promise<void> {
  let sse: SseWriter | undefined;
  try {
    await streamGeneration(app, reply, request, {
      start() {
        sse = openSse(reply);
        if (events.first) sse.send(events.first());
      },
      chunk(text) {
        sse?.send(events.chunk(text));
      },
      end(generation) {
        sse?.send(events.last(generation.finishReason));
        if (events.usage) sse?.send(events.usage(generation.usage));
        sse?.done();
      },
    });
  } catch (error) {
    if (!sse) throw error;
    const response = toRouteErrorResponse(error, [app.models.loader.modelDir]);
    if (response.isServerError && response.statusCode === 500) {
      reply.log.error({ err: error }, 'streaming failed');
    } else {
      reply.log.info({ code: response.body.error.code }, response.body.error.message);
    }
    sse.send(toOpenAiErrorBody(response));
    sse.done();
  }
}

/**
 * OpenAI-compatible routes under `/v1`: `GET /models`, `POST /chat/completions` and
 * `POST /completions`, with `stream: true` as server-sent events; errors in OpenAI's shape.
 */
export function registerOpenAiRoutes(routes: ZodApp, app: FastifyInstance): void {
  const startedAt = Math.floor(Date.now() / 1000);

  routes.get('/models', async () => ({
    object: 'list',
    data: app.models.loader.modelNames.map((name) => {
      const info = app.models.loader.getModelInfo(name);
      return {
        id: name,
        object: 'model',
        created: info.loadedAt ? Math.floor(Date.parse(info.loadedAt) / 1000) : startedAt,
        owned_by: 'model-loader',
        // Not in OpenAI's schema: whether the model can answer now.
        ready: info.state === 'loaded',
      };
    }),
  }));

  routes.post(
    '/chat/completions',
    { schema: { body: chatCompletionBody } },
    async (request, reply) => {
      const body = request.body;
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const generation: GenerationRequest = {
        modelName: body.model,
        input: { kind: 'chat', messages: toMessages(body.messages) },
        maxTokens: orUndefined(body.max_completion_tokens ?? body.max_tokens),
        ...sampling(body),
      };
      if (body.stream) {
        const chunk = (delta: object, finishReason: string | null) => ({
          id,
          object: 'chat.completion.chunk',
          created,
          model: body.model,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        });
        await streamEvents(app, reply, generation, {
          first: () => chunk({ role: 'assistant', content: '' }, null),
          chunk: (text) => chunk({ content: text }, null),
          last: (finishReason) => chunk({}, finishReason),
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
      return {
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: result.text, refusal: null },
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
    const id = `cmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const prompt = typeof body.prompt === 'string' ? body.prompt : (body.prompt[0] ?? '');
    const generation: GenerationRequest = {
      modelName: body.model,
      input: { kind: 'complete', prompt },
      maxTokens: orUndefined(body.max_tokens),
      ...sampling(body),
    };
    const choice = (text: string, finishReason: string | null) => ({
      id,
      object: 'text_completion',
      created,
      model: body.model,
      choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    });
    if (body.stream) {
      await streamEvents(app, reply, generation, {
        chunk: (text) => choice(text, null),
        last: (finishReason) => choice('', finishReason),
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
