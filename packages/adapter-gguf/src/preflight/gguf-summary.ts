/** What the preflight learned about a GGUF file, for `inspect` and `model-loader inspect`. */
export interface GgufSummary {
  /** GGUF format version (2 or 3). */
  readonly version: number;
  /** `general.architecture`, for example `llama`. */
  readonly architecture?: string;
  /** `general.name`. */
  readonly name?: string;
  /** Total number of weights over all tensors. */
  readonly parameterCount: number;
  /** The ggml type holding most of the weight bytes, for example `Q4_K` or `F16`. */
  readonly quantization: string;
  /** `<architecture>.context_length`: the context the model was trained with. */
  readonly contextLength?: number;
  /** `<architecture>.block_count`. */
  readonly layerCount?: number;
  /** `<architecture>.embedding_length`. */
  readonly embeddingLength?: number;
  /** Number of tokens in `tokenizer.ggml.tokens`. */
  readonly vocabularySize?: number;
  /**
   * Most bytes of prompt text one token stands for (SentencePiece and byte-level BPE vocabularies
   * only): a prompt longer than the context size times this cannot fit and is refused untokenized.
   */
  readonly longestTokenInBytes?: number;
  /** `tokenizer.ggml.model`, for example `llama` or `gpt2`. */
  readonly tokenizer?: string;
  readonly tensorCount: number;
  readonly metadataCount: number;
  /** Bytes of metadata and tensor infos, before the tensor data. */
  readonly headerSizeInBytes: number;
  readonly sizeInBytes: number;
}
