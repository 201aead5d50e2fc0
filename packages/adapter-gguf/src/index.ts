export {
  createGgufAdapter,
  type GgufAdapter,
  LlamaLoadError,
} from './create-gguf-adapter.js';
export type { GgufAdapterSettings, GgufLoadOptions } from './gguf-adapter-settings.js';
export type {
  GgufChatMessage,
  GgufEmbeddings,
  GgufGeneration,
  GgufGenerationOptions,
  GgufHistoryToolCall,
  GgufJsonSchema,
  GgufResponseFormat,
  GgufTimings,
  GgufTool,
  GgufToolCall,
  GgufToolChoice,
  GgufUsage,
} from './gguf-generation.js';
export type { GgufModelHandle } from './gguf-model-handle.js';
export { GGUF_LIMITS } from './preflight/gguf-limits.js';
export type { GgufSummary } from './preflight/gguf-summary.js';
export { inspectGgufFile } from './preflight/inspect-gguf-file.js';
export type { SequencePoolStats } from './sequence-pool.js';
export type { TextStream } from './text-stream.js';
