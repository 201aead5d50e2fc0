import type {
  ChatModelFunctions,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaGrammar,
  LlamaModel,
} from 'node-llama-cpp';
import { toChatHistory } from './chat-history.js';
import type {
  GgufChatMessage,
  GgufEmbeddings,
  GgufGeneration,
  GgufGenerationOptions,
  GgufResponseFormat,
  GgufToolCall,
} from './gguf-generation.js';
import type { importNodeLlamaCpp } from './import-node-llama-cpp.js';
import { createJsonSchemaGrammar } from './json-schema-grammar.js';
import { checkPromptSize, maxPromptSizeInBytes } from './prompt-size.js';
import { SequencePool, type SequencePoolStats } from './sequence-pool.js';
import { createTextStream, type TextStream } from './text-stream.js';
import { forcedToolCall } from './tool-calling.js';

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
  /**
   * Most UTF-8 bytes a prompt (for chat: all message texts) may have: the context size times the
   * most bytes one token of the vocabulary stands for. Longer prompts cannot fit and are refused
   * with PROMPT_TOO_LONG before tokenizing. Undefined for vocabularies that give no such bound
   * (WordPiece, Unigram).
   */
  readonly maxPromptSizeInBytes: number | undefined;
  /**
   * Throws PROMPT_TOO_LONG when the prompt has more than `maxPromptSizeInBytes` bytes. `complete`,
   * `chat` and their streaming forms check it themselves; call it before tokenizing a prompt
   * yourself (`model.tokenize`), which can take seconds on a megabyte of text.
   */
  checkPromptSize(prompt: string | readonly GgufChatMessage[]): void;
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
  /**
   * One embedding vector per input (node-llama-cpp's embedding context, created on first use and
   * kept; inputs are embedded one after another). Arguments and result are plain data.
   */
  embed(
    inputs: readonly string[],
    options?: { readonly signal?: AbortSignal },
  ): Promise<GgufEmbeddings>;
  /** Refuses new requests, aborts running ones, frees the context and the model. */
  dispose(): Promise<void>;
}

type NodeLlamaCpp = Awaited<ReturnType<typeof importNodeLlamaCpp>>;

interface Run {
  readonly sequence: LlamaContextSequence;
  readonly signal: AbortSignal;
  readonly onToken: () => void;
}

interface Outcome {
  readonly text: string;
  readonly stopReason: string;
  readonly toolCalls?: readonly GgufToolCall[];
}

/** Tells the model the schema its answer must match (the grammar enforces it). */
function schemaInstructions(format: Extract<GgufResponseFormat, { type: 'json_schema' }>): string {
  const about = [format.name, format.description].filter(Boolean).join(': ');
  return `Answer with one JSON value${about ? ` (${about})` : ''} matching this JSON schema: ${JSON.stringify(format.schema)}`;
}

/** OpenAI's penalties as llama.cpp's: no multiplicative penalty, over every generated token. */
function repeatPenalty(options: GgufGenerationOptions, maxTokens: number) {
  const presencePenalty = options.presencePenalty ?? 0;
  const frequencyPenalty = options.frequencyPenalty ?? 0;
  if (presencePenalty === 0 && frequencyPenalty === 0) return {};
  return {
    repeatPenalty: {
      lastTokens: maxTokens,
      penalty: 1,
      penalizeNewLine: true,
      presencePenalty,
      frequencyPenalty,
    },
  };
}

/** Wraps a loaded model and its context in the handle. */
export function createGgufModelHandle(parts: {
  readonly library: NodeLlamaCpp;
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly context: LlamaContext;
  readonly maxQueuedRequests: number;
  /** From the preflight's summary; undefined leaves prompts unbounded by size. */
  readonly longestTokenInBytes: number | undefined;
  /** Threads of the embedding context. */
  readonly threads?: number;
}): GgufModelHandle {
  const { library, model, context } = parts;
  const promptLimit = {
    contextSize: context.contextSize,
    longestTokenInBytes: parts.longestTokenInBytes,
  };
  const pool = new SequencePool(context, parts.maxQueuedRequests);
  const disposal = new AbortController();
  let jsonGrammar: Promise<LlamaGrammar> | undefined;

  function grammarFor(format: GgufResponseFormat): Promise<LlamaGrammar> {
    if (format.type === 'json_object') {
      jsonGrammar ??= parts.llama.getGrammarFor('json');
      return jsonGrammar;
    }
    return createJsonSchemaGrammar(parts.llama, format.schema);
  }

  async function generate(
    prompt: string | readonly GgufChatMessage[],
    options: GgufGenerationOptions,
    onChunk: ((chunk: string) => void) | undefined,
    body: (run: Run, sampling: Record<string, unknown>) => Promise<Outcome>,
  ): Promise<GgufGeneration> {
    // Before queueing and before node-llama-cpp tokenizes it.
    checkPromptSize(prompt, promptLimit);
    const signal = options.signal
      ? AbortSignal.any([options.signal, disposal.signal])
      : disposal.signal;
    const queuedAt = performance.now();
    const sequence = await pool.acquire(signal);
    const startedAt = performance.now();
    let firstTokenAt: number | undefined;
    const meterBefore = sequence.tokenMeter.getState();
    try {
      const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
      const sampling = {
        maxTokens,
        ...repeatPenalty(options, maxTokens),
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
      let outcome: Outcome;
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
        finishReason: outcome.toolCalls?.length
          ? 'tool_calls'
          : outcome.stopReason === 'maxTokens'
            ? 'length'
            : 'stop',
        ...(outcome.toolCalls?.length ? { toolCalls: outcome.toolCalls } : {}),
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
    generate(prompt, options, onChunk, async ({ sequence, onToken }, sampling) => {
      const completion = new library.LlamaCompletion({
        contextSequence: sequence,
        autoDisposeSequence: false,
      });
      try {
        const grammar = options.responseFormat
          ? await grammarFor(options.responseFormat)
          : undefined;
        const { response, metadata } = await completion.generateCompletionWithMeta(prompt, {
          ...sampling,
          ...(grammar ? { grammar } : {}),
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
    generate(messages, options, onChunk, async ({ sequence, onToken }, sampling) => {
      const tools = options.toolChoice === 'none' ? [] : (options.tools ?? []);
      const forced = forcedToolCall(tools, options.toolChoice);
      const chat = new library.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
      try {
        if (forced) {
          // The call is the whole output: it is not streamed as text.
          const { onTextChunk: _text, ...quiet } = sampling as typeof sampling & {
            onTextChunk?: unknown;
          };
          const grammar = await grammarFor({ type: 'json_schema', schema: forced.schema });
          const { response, metadata } = await chat.generateResponse(
            toChatHistory(messages, forced.instructions),
            { ...quiet, grammar, onToken },
          );
          if (metadata.stopReason === 'maxTokens') {
            return { text: response, stopReason: metadata.stopReason };
          }
          return { text: '', stopReason: metadata.stopReason, toolCalls: [forced.read(response)] };
        }
        const grammar =
          tools.length === 0 && options.responseFormat
            ? await grammarFor(options.responseFormat)
            : undefined;
        const functions: ChatModelFunctions = Object.fromEntries(
          tools.map((tool) => [
            tool.name,
            {
              ...(tool.description ? { description: tool.description } : {}),
              // biome-ignore lint/suspicious/noExplicitAny: checked against the grammar's subset by the caller
              ...(tool.parameters ? { params: tool.parameters as any } : {}),
            },
          ]),
        );
        const format = tools.length === 0 ? options.responseFormat : undefined;
        const history = toChatHistory(
          messages,
          format?.type === 'json_schema' ? schemaInstructions(format) : undefined,
        );
        const { response, metadata, functionCalls } =
          tools.length > 0
            ? await chat.generateResponse(history, { ...sampling, functions, onToken })
            : await chat.generateResponse(history, {
                ...sampling,
                ...(grammar ? { grammar } : {}),
                onToken,
              });
        const toolCalls = (functionCalls ?? []).map((call) => ({
          name: call.functionName,
          arguments: JSON.stringify(call.params ?? {}),
        }));
        return { text: response, stopReason: metadata.stopReason, toolCalls };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    });

  let embedding: Promise<LlamaEmbeddingContext> | undefined;
  let embedQueue: Promise<unknown> = Promise.resolve();
  const embed = async (
    inputs: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<GgufEmbeddings> => {
    const abort = signal ? AbortSignal.any([signal, disposal.signal]) : disposal.signal;
    abort.throwIfAborted();
    embedding ??= model.createEmbeddingContext({
      contextSize: context.contextSize,
      ...(parts.threads === undefined ? {} : { threads: parts.threads }),
    });
    const embeddingContext = await embedding;
    const embeddings: number[][] = [];
    let promptTokens = 0;
    for (const input of inputs) {
      abort.throwIfAborted();
      const tokens = model.tokenize(input);
      promptTokens += tokens.length;
      const vector = await embeddingContext.getEmbeddingFor(tokens);
      embeddings.push([...vector.vector]);
    }
    return { embeddings, promptTokens };
  };

  let disposed: Promise<void> | undefined;
  return {
    model,
    context,
    llama: parts.llama,
    contextSize: context.contextSize,
    maxPromptSizeInBytes: maxPromptSizeInBytes(promptLimit),
    checkPromptSize: (prompt) => checkPromptSize(prompt, promptLimit),
    get pool() {
      return pool.stats;
    },
    // Each text is bounded by bytes before llama.cpp tokenizes it (a 1 MB text took 45 s).
    countTokens: async (texts) =>
      texts.map((text) => {
        checkPromptSize(text, promptLimit);
        return model.tokenize(text).length;
      }),
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
    embed(inputs, options = {}) {
      // One embedding at a time: the embedding context has one sequence.
      const result = embedQueue.then(() => embed(inputs, options.signal));
      embedQueue = result.catch(() => {});
      return result;
    },
    dispose() {
      disposed ??= (async () => {
        pool.close();
        disposal.abort(new Error('The model was disposed'));
        await embedQueue;
        if (embedding) await (await embedding.catch(() => undefined))?.dispose();
        await context.dispose();
        await model.dispose();
      })();
      return disposed;
    },
  };
}
