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
  /** llama.cpp's LLAMA_MAX_LAYERS (llama-hparams.h): `block_count` above it aborts the process. */
  maxLayerCount: 512,
  /** llama.cpp's LLAMA_MAX_EXPERTS (llama-hparams.h): `expert_count` above it aborts the process. */
  maxExpertCount: 1024,
} as const;
