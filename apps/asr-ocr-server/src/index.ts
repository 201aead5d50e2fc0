export { type BuildAppOptions, buildApp } from './app.js';
export {
  DEMO_MODELS_FILE,
  DEMO_OCR_CHECKSUMS,
  DEMO_OCR_FOLDER,
  DEMO_WHISPER_FOLDER,
  prepareDemoModels,
} from './config/demo-models.js';
export {
  ADAPTER_NAMES,
  type AsrOcrServerConfig,
  DEFAULT_PORT,
  type LoadAsrOcrConfigOptions,
  loadAsrOcrConfig,
} from './config/load-asr-ocr-config.js';
export { parseUploadLimits, type UploadLimits } from './config/upload-limits.js';
export {
  asOcrModel,
  asSpeechModel,
  type ServedModel,
  type ServedOcrModel,
  type ServedSpeechModel,
} from './served-models.js';
