import { ModelLoaderError } from '@model-loader/core';
import type { GgufChatMessage } from './gguf-generation.js';

/** The byte bound of prompts for one loaded model. */
export interface PromptSizeLimit {
  /** Tokens per sequence. */
  readonly contextSize: number;
  /** Most bytes of text one token stands for (from the preflight), or undefined when unbounded. */
  readonly longestTokenInBytes: number | undefined;
}

/** Most UTF-8 bytes a prompt may have to possibly fit, or undefined when the vocabulary gives no bound. */
export function maxPromptSizeInBytes(limit: PromptSizeLimit): number | undefined {
  return limit.longestTokenInBytes === undefined
    ? undefined
    : limit.contextSize * limit.longestTokenInBytes;
}

/** UTF-8 length of `text`, counted only when it could exceed `max` (a string of n code units has at most 3n bytes). */
function exceeds(text: string, max: number): number | undefined {
  if (text.length * 3 <= max) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > max ? bytes : undefined;
}

/**
 * Refuses, before any tokenization, a prompt that cannot fit in the context: more UTF-8 bytes than
 * the context size times the longest token means more tokens than the context holds. Costs one
 * pass over the text (tokenizing a 1 MB prompt took 45 s of CPU in llama.cpp). For chat, the
 * message texts count together; the chat template only adds tokens.
 * @throws ModelLoaderError PROMPT_TOO_LONG
 */
export function checkPromptSize(
  prompt: string | readonly GgufChatMessage[],
  limit: PromptSizeLimit,
): void {
  const max = maxPromptSizeInBytes(limit);
  if (max === undefined) return;
  let bytes: number | undefined;
  if (typeof prompt === 'string') {
    bytes = exceeds(prompt, max);
  } else {
    let units = 0;
    for (const message of prompt) units += message.content.length;
    if (units * 3 > max) {
      let total = 0;
      for (const message of prompt) total += Buffer.byteLength(message.content, 'utf8');
      if (total > max) bytes = total;
    }
  }
  if (bytes === undefined) return;
  throw new ModelLoaderError(
    'PROMPT_TOO_LONG',
    `The prompt is ${bytes} bytes long, more than a context of ${limit.contextSize} tokens can hold (at most ${max} bytes: no token of this model stands for more than ${limit.longestTokenInBytes} bytes). Shorten the prompt.`,
    { expected: `at most ${max} bytes`, actual: `${bytes} bytes` },
  );
}
