import { join } from 'node:path';
import { ModelLoaderError } from '@model-loader/core';
import { writeTinyGguf } from '@model-loader/fixtures';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgufAdapter } from './create-gguf-adapter.js';
import type { GgufModelHandle } from './gguf-model-handle.js';
import { inspectGgufFile } from './preflight/inspect-gguf-file.js';
import { checkPromptSize, maxPromptSizeInBytes } from './prompt-size.js';
import { useTempDir } from './test-support/temp-files.js';
import { getTestLlama } from './test-support/test-llama.js';

const temp = useTempDir();
const llama = await getTestLlama();
const adapter = createGgufAdapter({ llama, threadCount: 1, gpu: false });
const loadContext = () => ({
  modelName: 'tiny',
  signal: new AbortController().signal,
  attempt: 1,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  onProgress() {},
});

/** The hostile prompt: 330,000 x "€", 990,000 bytes. */
const hugePrompt = '€'.repeat(330_000);

function codeOf(error: unknown): string {
  return ModelLoaderError.isInstance(error) ? error.code : String(error);
}

describe('checkPromptSize', () => {
  it('refuses exactly the prompts of more than context size x longest token bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ maxLength: 80 })),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        (text, contextSize, longestTokenInBytes, asChat) => {
          const limit = { contextSize, longestTokenInBytes };
          const bytes = Buffer.byteLength(text, 'utf8');
          const prompt = asChat
            ? [
                { role: 'system' as const, content: text.slice(0, 3) },
                { role: 'user' as const, content: text.slice(3) },
              ]
            : text;
          const total = asChat
            ? Buffer.byteLength(text.slice(0, 3)) + Buffer.byteLength(text.slice(3))
            : bytes;
          let outcome = 'accepted';
          try {
            checkPromptSize(prompt, limit);
          } catch (error) {
            outcome = codeOf(error);
          }
          expect(outcome).toBe(
            total > contextSize * longestTokenInBytes ? 'PROMPT_TOO_LONG' : 'accepted',
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('has no bound for vocabularies without a longest token', () => {
    expect(maxPromptSizeInBytes({ contextSize: 16, longestTokenInBytes: undefined })).toBe(
      undefined,
    );
    expect(() =>
      checkPromptSize(hugePrompt, { contextSize: 16, longestTokenInBytes: undefined }),
    ).not.toThrow();
  });
});

describe.each(['llama', 'gpt2'] as const)('prompt size bound of a %s vocabulary', (tokenizer) => {
  let handle: GgufModelHandle;
  let longest: number;

  beforeAll(async () => {
    const path = join(temp.dir(), `${tokenizer}.gguf`);
    await writeTinyGguf(path, { tokenizer, contextLength: 512 });
    longest = (await inspectGgufFile(path)).longestTokenInBytes ?? 0;
    handle = await adapter.load(path, { contextSize: 512 }, loadContext());
  });
  afterAll(async () => {
    await handle.dispose();
  });

  it('bounds prompts by the context size times the longest token', () => {
    // The tiny llama vocabulary's longest text is `<unk>` (5 bytes; byte tokens count 1), the gpt2
    // one's `<|endoftext|>` (13 bytes).
    expect(longest).toBe(tokenizer === 'llama' ? 5 : 13);
    expect(handle.maxPromptSizeInBytes).toBe(handle.contextSize * longest);
  });

  it('is sound: no text has fewer tokens than its bytes / the longest token (the real tokenizer)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 120 }),
          fc.string({ unit: 'binary', maxLength: 120 }),
          fc.stringMatching(/^[a-z ]{0,120}$/),
          fc
            .array(fc.constantFrom('<s>', '</s>', '<unk>', ' ', 'ab', '€', '\n'), {
              maxLength: 40,
            })
            .map((parts) => parts.join('')),
        ),
        (text) => {
          const tokens = handle.model.tokenize(text, true).length;
          expect(tokens * longest).toBeGreaterThanOrEqual(Buffer.byteLength(text, 'utf8'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a 1 MB prompt in complete, chat and their streams without tokenizing it', async () => {
    const tokenize = handle.model.tokenize.bind(handle.model);
    let tokenized = 0;
    handle.model.tokenize = ((...args: Parameters<typeof tokenize>) => {
      tokenized++;
      return tokenize(...args);
    }) as typeof tokenize;
    try {
      const messages = [{ role: 'user' as const, content: hugePrompt }];
      const streamed = handle.streamComplete(hugePrompt);
      const streamedChat = handle.streamChat(messages);
      const outcomes = [
        await handle.complete(hugePrompt).catch((error: unknown) => error),
        await handle.chat(messages).catch((error: unknown) => error),
        await streamed.result.catch((error: unknown) => error),
        await (async () => {
          try {
            for await (const _ of streamedChat) {
              // no chunk is expected
            }
          } catch (error) {
            return error;
          }
          return 'streamed';
        })(),
      ];
      const max = handle.contextSize * longest;
      for (const outcome of outcomes) {
        expect(codeOf(outcome)).toBe('PROMPT_TOO_LONG');
        expect((outcome as Error).message).toBe(
          `The prompt is 990000 bytes long, more than a context of ${handle.contextSize} tokens can hold (at most ${max} bytes: no token of this model stands for more than ${longest} bytes). Shorten the prompt.`,
        );
      }
      expect(tokenized).toBe(0);
      expect(handle.pool.activeCount + handle.pool.pendingCount).toBe(0);
    } finally {
      handle.model.tokenize = tokenize;
    }
  });

  it('lets a prompt of exactly the bound through the size check and refuses one byte more', async () => {
    const max = handle.contextSize * longest;
    expect(() => handle.checkPromptSize('a'.repeat(max))).not.toThrow();
    expect(() => handle.checkPromptSize('a'.repeat(max + 1))).toThrow(
      expect.objectContaining({ code: 'PROMPT_TOO_LONG' }),
    );
    // A prompt under the bound still generates.
    const result = await handle.complete('hello', { maxTokens: 2 });
    expect(result.usage.completionTokens).toBe(2);
  });
});
