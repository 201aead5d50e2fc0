import type {
  ChatHistoryItem,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
} from 'node-llama-cpp';
import type { GgufChatMessage, GgufGeneration, GgufGenerationOptions } from './gguf-generation.js';
import type { importNodeLlamaCpp } from './import-node-llama-cpp.js';
import { SequencePool, type SequencePoolStats } from './sequence-pool.js';
import { createTextStream, type TextStream } from './text-stream.js';

const DEFAULT_MAX_TOKENS = 256;

/** A loaded GGUF model: what `ModelLoader.get(name)` returns for this adapter. */
export interface GgufModelHandle {
  /** The node-llama-cpp model, for anything the helpers do not cover. */
  readonly model: LlamaModel;
  /** The context whose sequences serve the requests. */
  readonly context: LlamaContext;
  readonly llama: Llama;
  /** Tokens per sequence. */
  readonly contextSize: number;
  /** Requests served at once, running and waiting. */
  readonly pool: SequencePoolStats;
  /**
   * Tokens of each text (without a BOS token): for fitting prompts into the context. Async so it
   * works the same when the model runs in its own process.
   */
  countTokens(texts: readonly string[]): Promise<number[]>;
  /** Continues `prompt` (raw text, no chat template). */
  complete(prompt: string, options?: GgufGenerationOptions): Promise<GgufGeneration>;
  /** `complete`, chunk by chunk. */
  streamComplete(prompt: string, options?: GgufGenerationOptions): TextStream<GgufGeneration>;
  /** Answers the conversation with the model's chat template. */
  chat(
    messages: readonly GgufChatMessage[],
    options?: GgufGenerationOptions,
  ): Promise<GgufGeneration>;
  /** `chat`, chunk by chunk. */
  streamChat(
    messages: readonly GgufChatMessage[],
    options?: GgufGenerationOptions,
  ): TextStream<GgufGeneration>;
  /** Refuses new requests, aborts running ones, frees the context and the model. */
  dispose(): Promise<void>;
}

type NodeLlamaCpp = Awaited<ReturnType<typeof importNodeLlamaCpp>>;

interface Run {
  readonly sequence: LlamaContextSequence;
  readonly signal: AbortSignal;
  readonly onToken: () => void;
}

function toHistory(messages: readonly GgufChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message) =>
    message.role === 'system'
      ? { type: 'system', text: message.content }
      : message.role === 'user'
        ? { type: 'user', text: message.content }
        : { type: 'model', response: [message.content] },
  );
  history.push({ type: 'model', response: [] });
  return history;
}

/** Wraps a loaded model and its context in the handle. */
export function createGgufModelHandle(parts: {
  readonly library: NodeLlamaCpp;
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly maxQueuedRequests: number;
}): GgufModelHandle {
  const { library, model, context } = parts;
  const pool = new SequencePool(context, parts.maxQueuedRequests);
  const disposal = new AbortController();

  async function generate(
    options: GgufGenerationOptions,
    onChunk: ((chunk: string) => void) | undefined,
    body: (
      run: Run,
      sampling: Record<string, unknown>,
    ) => Promise<{ text: string; stopReason: string }>,
  ): Promise<GgufGeneration> {
    const signal = options.signal
      ? AbortSignal.any([options.signal, disposal.signal])
      : disposal.signal;
    const queuedAt = performance.now();
    const sequence = await pool.acquire(signal);
    const startedAt = performance.now();
    let firstTokenAt: number | undefined;
    const meterBefore = sequence.tokenMeter.getState();
    try {
      const sampling = {
        maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.topK === undefined ? {} : { topK: options.topK }),
        ...(options.topP === undefined ? {} : { topP: options.topP }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.stop?.length ? { customStopTriggers: [...options.stop] } : {}),
        signal,
        ...(onChunk ? { onTextChunk: onChunk } : {}),
      };
      const onToken = () => {
        firstTokenAt ??= performance.now();
      };
      let outcome: { text: string; stopReason: string };
      try {
        outcome = await body({ sequence, signal, onToken }, sampling);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw error;
      }
      const endedAt = performance.now();
      // The sequence's meter counts evaluated prompt tokens as input and sampled tokens as output
      // (onToken is not called for tokens held back, such as parts of a UTF-8 character).
      const used = sequence.tokenMeter.diff(meterBefore);
      const promptTokens = used.usedInputTokens;
      // The meter also counts the token sampled past `maxTokens` that node-llama-cpp then drops.
      const completionTokens = Math.min(used.usedOutputTokens, sampling.maxTokens);
      const generatingInMs = endedAt - (firstTokenAt ?? endedAt);
      return {
        text: outcome.text,
        finishReason: outcome.stopReason === 'maxTokens' ? 'length' : 'stop',
        usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
        timings: {
          queuedInMs: startedAt - queuedAt,
          timeToFirstTokenInMs: (firstTokenAt ?? endedAt) - startedAt,
          totalInMs: endedAt - startedAt,
          tokensPerSecond:
            completionTokens > 1 && generatingInMs > 0
              ? ((completionTokens - 1) * 1000) / generatingInMs
              : 0,
        },
      };
    } finally {
      await pool.release(sequence);
    }
  }

  const runCompletion = (
    prompt: string,
    options: GgufGenerationOptions,
    onChunk?: (chunk: string) => void,
  ) =>
    generate(options, onChunk, async ({ sequence, onToken }, sampling) => {
      const completion = new library.LlamaCompletion({
        contextSequence: sequence,
        autoDisposeSequence: false,
      });
      try {
        const { response, metadata } = await completion.generateCompletionWithMeta(prompt, {
          ...sampling,
          onToken,
        });
        return { text: response, stopReason: metadata.stopReason };
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    });

  const runChat = (
    messages: readonly GgufChatMessage[],
    options: GgufGenerationOptions,
    onChunk?: (chunk: string) => void,
  ) =>
    generate(options, onChunk, async ({ sequence, onToken }, sampling) => {
      const chat = new library.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
      try {
        const { response, metadata } = await chat.generateResponse(toHistory(messages), {
          ...sampling,
          onToken,
        });
        return { text: response, stopReason: metadata.stopReason };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    });

  let disposed: Promise<void> | undefined;
  return {
    model,
    context,
    llama: parts.llama,
    contextSize: context.contextSize,
    get pool() {
      return pool.stats;
    },
    countTokens: async (texts) => texts.map((text) => model.tokenize(text).length),
    complete: (prompt, options = {}) => runCompletion(prompt, options),
    streamComplete: (prompt, options = {}) =>
      createTextStream(
        (onChunk, signal) => runCompletion(prompt, { ...options, signal }, onChunk),
        options.signal,
      ),
    chat: (messages, options = {}) => runChat(messages, options),
    streamChat: (messages, options = {}) =>
      createTextStream(
        (onChunk, signal) => runChat(messages, { ...options, signal }, onChunk),
        options.signal,
      ),
    dispose() {
      disposed ??= (async () => {
        pool.close();
        disposal.abort(new Error('The model was disposed'));
        await context.dispose();
        await model.dispose();
      })();
      return disposed;
    },
  };
}
