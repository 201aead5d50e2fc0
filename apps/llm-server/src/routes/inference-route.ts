import type { FastifyInstance } from 'fastify';
import { runGeneration } from '../generation/run-generation.js';
import { inferenceBody } from './request-schemas.js';
import { stopList, type ZodApp } from './route-types.js';

/**
 * `POST /inference` `{ model_name, prompt, max_tokens, temperature, top_p, stop, seed }` ->
 * `{ model, text, finish_reason, usage, timings }`: a raw completion of the prompt (no chat template).
 */
export function registerInferenceRoute(routes: ZodApp, app: FastifyInstance): void {
  routes.post('/inference', { schema: { body: inferenceBody } }, async (request, reply) => {
    const body = request.body;
    const generation = await runGeneration(app, reply, {
      modelName: body.model_name,
      input: { kind: 'complete', prompt: body.prompt },
      maxTokens: body.max_tokens,
      temperature: body.temperature,
      topP: body.top_p,
      seed: body.seed,
      stop: stopList(body.stop),
      keepAlive: body.keep_alive,
    });
    const { usage, timings } = generation;
    return {
      model: body.model_name,
      text: generation.text,
      finish_reason: generation.finishReason,
      usage: {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.totalTokens,
      },
      timings: {
        queued_ms: round(generation.queuedInMs),
        time_to_first_token_ms: round(timings.timeToFirstTokenInMs),
        total_ms: round(timings.totalInMs),
        tokens_per_second: round(timings.tokensPerSecond),
      },
    };
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
