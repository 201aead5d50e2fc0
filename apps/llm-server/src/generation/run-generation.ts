import type {
  GgufChatMessage,
  GgufGeneration,
  GgufGenerationOptions,
  GgufModelHandle,
  GgufResponseFormat,
  GgufTool,
  GgufToolChoice,
} from '@model-loader/adapter-gguf';
import type { KeepAliveInput, Remote } from '@model-loader/core';
import { disconnectSignal, type RunOptions } from '@model-loader/fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fitContext } from './fit-context.js';

/** What to generate: a raw completion of a prompt, or a chat answer. */
export type GenerationInput =
  | { readonly kind: 'complete'; readonly prompt: string }
  | { readonly kind: 'chat'; readonly messages: readonly GgufChatMessage[] };

/** One generation request, whatever route it came from. */
export interface GenerationRequest {
  readonly modelName: string;
  readonly input: GenerationInput;
  /** The request's `keep_alive`: the model's keep-alive from the end of this request. */
  readonly keepAlive?: KeepAliveInput | undefined;
  readonly maxTokens?: number | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly seed?: number | undefined;
  readonly stop?: readonly string[] | undefined;
  readonly presencePenalty?: number | undefined;
  readonly frequencyPenalty?: number | undefined;
  /** Constrained decoding (already converted to the grammar's schema subset). */
  readonly responseFormat?: GgufResponseFormat | undefined;
  readonly tools?: readonly GgufTool[] | undefined;
  readonly toolChoice?: GgufToolChoice | undefined;
}

/** True when the output must be complete JSON: then it may use the rest of the context. */
function isStructured(request: GenerationRequest): boolean {
  const choice = request.toolChoice;
  const forcedTool =
    (request.tools?.length ?? 0) > 0 && (choice === 'required' || typeof choice === 'object');
  return request.responseFormat !== undefined || forcedTool;
}

/** A generation plus the time it waited in the server's queue. */
export interface ServedGeneration extends GgufGeneration {
  /** Time in the server's queue and the model's sequence pool. */
  readonly queuedInMs: number;
}

/** Handlers of a streamed generation. */
export interface StreamHandlers {
  /** Called once the model is leased and the prompt fits, before the first chunk. */
  start(): void;
  chunk(text: string): void;
  end(generation: ServedGeneration): void;
}

/** Checks that the prompt fits the model's context and builds the sampling options. */
async function prepare(
  model: Remote<GgufModelHandle>,
  request: GenerationRequest,
  signal: AbortSignal,
): Promise<GgufGenerationOptions> {
  const { input } = request;
  const fit = await fitContext(
    model,
    request.modelName,
    input.kind === 'chat' ? input.messages : input.prompt,
    request.maxTokens,
  );
  // JSON cut at 256 tokens does not parse: without `max_tokens`, structured output may fill the
  // context, as OpenAI's does (a random-weight model writes strings of about 300 tokens).
  const maxTokens =
    request.maxTokens === undefined && isStructured(request)
      ? model.contextSize - fit.promptTokens
      : fit.maxTokens;
  return {
    maxTokens,
    signal,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.topP === undefined ? {} : { topP: request.topP }),
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    ...(request.stop?.length ? { stop: request.stop } : {}),
    ...(request.presencePenalty ? { presencePenalty: request.presencePenalty } : {}),
    ...(request.frequencyPenalty ? { frequencyPenalty: request.frequencyPenalty } : {}),
    ...(request.responseFormat ? { responseFormat: request.responseFormat } : {}),
    ...(request.tools?.length ? { tools: request.tools } : {}),
    ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}),
  };
}

function served(generation: GgufGeneration, waitedInMs: number): ServedGeneration {
  return { ...generation, queuedInMs: waitedInMs + generation.timings.queuedInMs };
}

function runOptions(reply: FastifyReply, request: GenerationRequest): RunOptions {
  return {
    signal: disconnectSignal(reply),
    ...(request.keepAlive === undefined ? {} : { keepAlive: request.keepAlive }),
  };
}

/**
 * Runs a generation under the model's limits (`app.models.run`): 404 for an unknown model, 503 for
 * one not loaded (with its load error) or a full queue, 400 for a prompt that does not fit, 504
 * on timeout. A client that disconnects aborts it; the sequence goes back to the pool either way.
 */
export function runGeneration(
  app: FastifyInstance,
  reply: FastifyReply,
  request: GenerationRequest,
): Promise<ServedGeneration> {
  const receivedAt = performance.now();
  return app.models.run(
    request.modelName,
    async (model, signal) => {
      const waitedInMs = performance.now() - receivedAt;
      const input = request.input;
      const options = await prepare(model, request, signal);
      const generation =
        input.kind === 'chat'
          ? await model.chat(input.messages, options)
          : await model.complete(input.prompt, options);
      return served(generation, waitedInMs);
    },
    runOptions(reply, request),
  );
}

/** {@link runGeneration}, chunk by chunk. Rejects like it; `start` tells whether anything was sent. */
export async function streamGeneration(
  app: FastifyInstance,
  reply: FastifyReply,
  request: GenerationRequest,
  handlers: StreamHandlers,
  /** Stops the generation from outside (the shutdown), besides a client disconnect. */
  stop?: AbortSignal,
): Promise<void> {
  const receivedAt = performance.now();
  await app.models.run(
    request.modelName,
    async (model, signal) => {
      const waitedInMs = performance.now() - receivedAt;
      const input = request.input;
      const options = await prepare(model, request, signal);
      const stream =
        input.kind === 'chat'
          ? model.streamChat(input.messages, options)
          : model.streamComplete(input.prompt, options);
      handlers.start();
      for await (const chunk of stream) {
        // After a timeout or a disconnect the route has answered: send nothing more.
        if (signal.aborted) break;
        if (chunk) handlers.chunk(chunk);
      }
      signal.throwIfAborted();
      handlers.end(served(await stream.result, waitedInMs));
    },
    {
      ...runOptions(reply, request),
      ...(stop ? { signal: AbortSignal.any([disconnectSignal(reply), stop]) } : {}),
    },
  );
}
