import { keepAliveField, modelNamePattern } from '@model-loader/fastify';
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
  /** Ollama's `keep_alive`: how long the model stays loaded after this request. */
  keep_alive: keepAliveField.optional(),
});

const contentPart = z.strictObject({ type: z.literal('text'), text });
const content = z.union([text, z.array(contentPart).min(1)]);
const toolCallId = z.string().min(1).max(256);
/** OpenAI's rule for function names. */
const functionName = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, { message: 'must be 1 to 64 letters, digits, _ or -' });
const jsonSchema = z.record(z.string(), z.unknown().optional());

const toolCall = z.strictObject({
  id: toolCallId,
  type: z.literal('function'),
  function: z.strictObject({ name: functionName, arguments: z.string().max(1_048_576) }),
});

const chatMessage = z.discriminatedUnion('role', [
  z.strictObject({
    role: z.enum(['system', 'developer', 'user']),
    content,
    name: z.string().nullish(),
  }),
  z.strictObject({
    role: z.literal('assistant'),
    content: content.nullish(),
    name: z.string().nullish(),
    refusal: z.string().nullish(),
    tool_calls: z.array(toolCall).nullish(),
  }),
  z.strictObject({ role: z.literal('tool'), content, tool_call_id: toolCallId }),
]);

/** OpenAI's penalties: -2 to 2. */
const penalty = z.number().min(-2).max(2);

/**
 * Fields both OpenAI routes read. The bodies are strict: a field this server does not know is
 * refused (`REQUEST_FIELD_UNKNOWN`), and one it knows but cannot honour is refused by the route
 * (`REQUEST_UNSUPPORTED`), so nothing is silently ignored.
 */
const openAiSampling = {
  model: modelName,
  max_tokens: maxTokens.nullish(),
  temperature: temperature.nullish(),
  top_p: topP.nullish(),
  stop: stop.nullish(),
  seed: seed.nullish(),
  n: z.int().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().nullish() }).nullish(),
  presence_penalty: penalty.nullish(),
  frequency_penalty: penalty.nullish(),
  /** Logged with the request, as OpenAI uses it: to tell end users apart. */
  user: z.string().max(256).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  /** Not OpenAI's: Ollama's `keep_alive`, how long the model stays loaded after this request. */
  keep_alive: keepAliveField.nullish(),
};

/** OpenAI fields that are refused unless absent, null or their no-op value (the route checks). */
const refusable = {
  logprobs: z.unknown().optional(),
  top_logprobs: z.unknown().optional(),
  functions: z.unknown().optional(),
  function_call: z.unknown().optional(),
  audio: z.unknown().optional(),
  modalities: z.unknown().optional(),
  prediction: z.unknown().optional(),
  reasoning_effort: z.unknown().optional(),
  service_tier: z.unknown().optional(),
  store: z.unknown().optional(),
  metadata: z.unknown().optional(),
  web_search_options: z.unknown().optional(),
  verbosity: z.unknown().optional(),
  parallel_tool_calls: z.unknown().optional(),
  prompt_cache_key: z.unknown().optional(),
  safety_identifier: z.unknown().optional(),
};

const tool = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: functionName,
    description: z.string().max(65_536).nullish(),
    parameters: jsonSchema.nullish(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: functionName }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    json_schema: z.strictObject({
      name: functionName,
      description: z.string().nullish(),
      schema: jsonSchema.nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** `POST /v1/chat/completions`. */
export const chatCompletionBody = z.strictObject({
  ...openAiSampling,
  ...refusable,
  messages: z.array(chatMessage).min(1, { message: 'give at least one message' }),
  max_completion_tokens: maxTokens.nullish(),
  response_format: responseFormat.nullish(),
  tools: z.array(tool).max(128).nullish(),
  tool_choice: toolChoice.nullish(),
});

/** `POST /v1/completions`. */
export const completionBody = z.strictObject({
  ...openAiSampling,
  logprobs: z.unknown().optional(),
  echo: z.unknown().optional(),
  best_of: z.unknown().optional(),
  suffix: z.unknown().optional(),
  prompt: z.union([text, z.array(text).length(1, { message: 'only one prompt per request' })]),
});

/** `POST /v1/embeddings`. */
export const embeddingsBody = z.strictObject({
  model: modelName,
  input: z.union([
    text.min(1, { message: 'must not be empty' }),
    z
      .array(text.min(1, { message: 'must not be empty' }))
      .min(1, { message: 'give at least one input' })
      .max(2048, { message: 'at most 2048 inputs' }),
  ]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.unknown().optional(),
  user: z.string().max(256).nullish(),
  keep_alive: keepAliveField.nullish(),
});

export type InferenceBody = z.output<typeof inferenceBody>;
export type ChatCompletionBody = z.output<typeof chatCompletionBody>;
export type CompletionBody = z.output<typeof completionBody>;
export type EmbeddingsBody = z.output<typeof embeddingsBody>;
