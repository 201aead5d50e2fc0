import { modelNamePattern } from '@model-loader/fastify';
import { z } from 'zod';

const modelName = z
  .string()
  .regex(modelNamePattern, { message: 'must be a registered model name' });
const maxTokens = z.int().min(1).max(1_000_000);
const temperature = z.number().min(0).max(2);
const topP = z.number().gt(0).max(1);
const seed = z.int();
const stop = z.union([
  z.string().min(1),
  z.array(z.string().min(1)).max(4, { message: 'at most 4 stop sequences' }),
]);
/** A prompt is at most 1 MiB of text; the context length is checked against the model. */
const text = z.string().max(1_048_576);

/** `POST /inference`: the seed's request. */
export const inferenceBody = z.strictObject({
  model_name: modelName,
  prompt: text,
  max_tokens: maxTokens.optional(),
  temperature: temperature.optional(),
  top_p: topP.optional(),
  stop: stop.optional(),
  seed: seed.optional(),
});

const contentPart = z.object({ type: z.literal('text'), text });
const chatMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([text, z.array(contentPart).min(1)]),
});

/** Fields both OpenAI routes read; unknown fields are ignored, as OpenAI-compatible servers do. */
const openAiSampling = {
  model: modelName,
  max_tokens: maxTokens.nullish(),
  temperature: temperature.nullish(),
  top_p: topP.nullish(),
  stop: stop.nullish(),
  seed: seed.nullish(),
  n: z.literal(1, { message: 'only n = 1 is supported' }).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
};

/** `POST /v1/chat/completions`. */
export const chatCompletionBody = z.object({
  ...openAiSampling,
  messages: z.array(chatMessage).min(1, { message: 'give at least one message' }),
  max_completion_tokens: maxTokens.nullish(),
});

/** `POST /v1/completions`. */
export const completionBody = z.object({
  ...openAiSampling,
  prompt: z.union([text, z.array(text).length(1, { message: 'only one prompt per request' })]),
});

export type InferenceBody = z.output<typeof inferenceBody>;
export type ChatCompletionBody = z.output<typeof chatCompletionBody>;
export type CompletionBody = z.output<typeof completionBody>;
