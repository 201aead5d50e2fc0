/** Caps the preflight applies; larger values are treated as corrupt. */
export const GGUF_LIMITS = {
  /** Longest string (key, value or array item). */
  maxStringLengthInBytes: 16 * 1024 * 1024,
  /** Most elements in one metadata array. */
  maxArrayLength: 64 * 1024 * 1024,
  /** Largest header (metadata + tensor infos) read into memory. */
  maxHeaderSizeInBytes: 512 * 1024 * 1024,
  /** ggml's GGML_MAX_DIMS. */
  maxDimensions: 4,
  /** ggml's GGML_MAX_NAME (64, including the terminating zero). */
  maxTensorNameLengthInBytes: 63,
} as const;
