import type { GgufChatMessage, GgufModelHandle } from '@model-loader/adapter-gguf';
import type { Remote } from '@model-loader/core';
import { ApiError } from './api-error.js';
import { refuseOversizedPrompt } from './prompt-too-long.js';

/** Tokens generated when the request does not say (OpenAI's completions default is 16). */
export const DEFAULT_MAX_TOKENS = 256;

/** The prompt's size and the tokens the generation may use. */
export interface ContextFit {
  readonly promptTokens: number;
  readonly maxTokens: number;
}

/**
 * Counts the prompt's tokens and checks that the prompt plus `maxTokens` fits in one sequence of the
 * model's context. node-llama-cpp would otherwise cut the prompt silently (measured: a 2003-token
 * prompt in a 256-token context answered 200 with 230 prompt tokens).
 * @throws ApiError CONTEXT_LENGTH_EXCEEDED
 */
export async function fitContext(
  model: Pick<Remote<GgufModelHandle>, 'countTokens' | 'contextSize'>,
  modelName: string,
  prompt: string | readonly GgufChatMessage[],
  requestedMaxTokens: number | undefined,
): Promise<ContextFit> {
  // For chat, the message texts alone: a lower bound, since the chat template adds its own tokens
  // (node-llama-cpp shifts the context if the template makes it overflow).
  const param = typeof prompt === 'string' ? 'prompt' : 'messages';
  const counts = await refuseOversizedPrompt(
    () =>
      model.countTokens(
        typeof prompt === 'string' ? [prompt] : prompt.map((message) => message.content),
      ),
    param,
  );
  const promptTokens =
    typeof prompt === 'string'
      ? (counts[0] ?? 0) + 1
      : counts.reduce((sum, count) => sum + count, 0);
  const contextSize = model.contextSize;
  if (promptTokens >= contextSize) {
    throw new ApiError(
      'CONTEXT_LENGTH_EXCEEDED',
      `The prompt is ${promptTokens} tokens long, but model '${modelName}' has a context of ${contextSize} tokens. Shorten the prompt.`,
      param,
    );
  }
  if (requestedMaxTokens !== undefined && promptTokens + requestedMaxTokens > contextSize) {
    throw new ApiError(
      'CONTEXT_LENGTH_EXCEEDED',
      `Model '${modelName}' has a context of ${contextSize} tokens, but ${promptTokens + requestedMaxTokens} were requested (${promptTokens} in the prompt, ${requestedMaxTokens} to generate). Shorten the prompt or lower max_tokens.`,
      param,
    );
  }
  return {
    promptTokens,
    maxTokens: requestedMaxTokens ?? Math.min(DEFAULT_MAX_TOKENS, contextSize - promptTokens),
  };
}
