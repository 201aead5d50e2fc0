export {
  createWhisperAdapter,
  MEMORY_FACTOR,
  MEMORY_OVERHEAD_IN_BYTES,
  type WhisperAdapter,
} from './create-whisper-adapter.js';
export {
  type AudioLimits,
  type PreparedAudio,
  prepareAudio,
  type WhisperAudioInput,
} from './decode-audio.js';
export { inspectOnnxFile, type OnnxSummary } from './onnx-preflight.js';
export {
  formatValueInfo,
  type OnnxOpsetImport,
  type OnnxValueInfo,
} from './onnx-signature.js';
export { mixToMono, resample, WHISPER_SAMPLE_RATE } from './resample.js';
export type {
  TranscribeOptions,
  WhisperChunk,
  WhisperModel,
  WhisperTranscription,
} from './whisper-model.js';
export type {
  ResolvedWhisperSettings,
  WhisperAdapterSettings,
  WhisperTranscriptionOptions,
} from './whisper-settings.js';
