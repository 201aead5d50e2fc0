/**
 * A JSON schema in the subset node-llama-cpp's grammar understands (`type`, `properties`,
 * `items`, `enum`, `const`, `oneOf`, `minLength`/`maxLength`, `$defs`/`$ref`, ...). Plain data.
 */
export type GgufJsonSchema = { readonly [key: string]: unknown };

/**
 * Constrains the output: any JSON object, or JSON matching a schema. For `chat`, a schema (with its
 * name and description) is also shown to the model in the system prompt, as OpenAI does. Plain data.
 */
export type GgufResponseFormat =
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly schema: GgufJsonSchema;
      readonly name?: string;
      readonly description?: string;
    };

/** A function the model may call. Plain data. */
export interface GgufTool {
  readonly name: string;
  readonly description?: string;
  /** The JSON schema of the arguments object; none for a function without parameters. */
  readonly parameters?: GgufJsonSchema;
}

/**
 * Whether the model calls a tool: `auto` lets the model's chat template decide (node-llama-cpp's
 * function calling), `none` offers no tool, `required` forces a call of one of the tools and
 * `{ name }` a call of that tool (both by grammar).
 */
export type GgufToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

/** A call of a tool the model made. */
export interface GgufToolCall {
  readonly name: string;
  /** The arguments as JSON text (they match the tool's schema when forced by grammar). */
  readonly arguments: string;
}

/** Sampling and stopping options of one generation. Every field is plain data. */
export interface GgufGenerationOptions {
  /** Most tokens to generate. @default 256 */
  readonly maxTokens?: number;
  /** 0 is greedy. @default node-llama-cpp's (0) */
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  /** Seed of the sampler, for reproducible output with a temperature above 0. */
  readonly seed?: number;
  /** Texts that end the generation (not included in the output). */
  readonly stop?: readonly string[];
  /**
   * Subtracted once from the logit of every token already generated (llama.cpp's
   * `penalty_present`, OpenAI's `presence_penalty`). @default 0
   */
  readonly presencePenalty?: number;
  /**
   * Subtracted from the logit of a generated token once per time it was generated (llama.cpp's
   * `penalty_freq`, OpenAI's `frequency_penalty`). @default 0
   */
  readonly frequencyPenalty?: number;
  /** Constrained decoding: the output is JSON (matching the schema). */
  readonly responseFormat?: GgufResponseFormat;
  /** Functions the model may call (`chat` only). */
  readonly tools?: readonly GgufTool[];
  /** @default 'auto' when `tools` are given */
  readonly toolChoice?: GgufToolChoice;
  /** Aborts the generation (and the wait for a free sequence); the promise rejects with its reason. */
  readonly signal?: AbortSignal;
}

/** A call in the history: an earlier answer of the model that called a tool. */
export interface GgufHistoryToolCall extends GgufToolCall {
  /** Matches the `toolCallId` of the `tool` message with its result. */
  readonly id: string;
}

/**
 * A chat message; `assistant` messages are earlier answers of the model (with the tools they
 * called), `tool` messages the results of those calls.
 */
export type GgufChatMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | {
      readonly role: 'assistant';
      readonly content: string;
      readonly toolCalls?: readonly GgufHistoryToolCall[];
    }
  | { readonly role: 'tool'; readonly content: string; readonly toolCallId: string };

/** Token counts of one generation. */
export interface GgufUsage {
  /** Tokens of the prompt (after the chat template, for `chat`) evaluated. */
  readonly promptTokens: number;
  /** Tokens generated. */
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** Durations of one generation, in milliseconds. */
export interface GgufTimings {
  /** Waiting for a free sequence of the pool. */
  readonly queuedInMs: number;
  /** From the start (after the queue) to the first generated token. */
  readonly timeToFirstTokenInMs: number;
  /** From the start (after the queue) to the end. */
  readonly totalInMs: number;
  /** Generated tokens per second after the first one. */
  readonly tokensPerSecond: number;
}

/** The outcome of `complete` or `chat`. */
export interface GgufGeneration {
  readonly text: string;
  /**
   * `stop`: end-of-generation token, a stop text or the end of the grammar; `length`: `maxTokens`
   * reached; `tool_calls`: the model called tools (`toolCalls`).
   */
  readonly finishReason: 'stop' | 'length' | 'tool_calls';
  /** The tools the model called, when `finishReason` is `tool_calls`. */
  readonly toolCalls?: readonly GgufToolCall[];
  readonly usage: GgufUsage;
  readonly timings: GgufTimings;
}

/** The outcome of `embed`. */
export interface GgufEmbeddings {
  /** One vector per input, in input order. */
  readonly embeddings: readonly number[][];
  /** Tokens of all inputs. */
  readonly promptTokens: number;
}
