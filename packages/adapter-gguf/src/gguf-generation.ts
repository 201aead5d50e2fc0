/** Sampling and stopping options of one generation. */
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
  /** Aborts the generation (and the wait for a free sequence); the promise rejects with its reason. */
  readonly signal?: AbortSignal;
}

/** A chat message; `assistant` messages are earlier answers of the model. */
export interface GgufChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

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
  /** `stop`: end-of-generation token or a stop text; `length`: `maxTokens` reached. */
  readonly finishReason: 'stop' | 'length';
  readonly usage: GgufUsage;
  readonly timings: GgufTimings;
}
