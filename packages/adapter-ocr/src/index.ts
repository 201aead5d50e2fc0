export { createOcrAdapter, OCR_MEMORY_FACTOR, type OcrAdapter } from './create-ocr-adapter.js';
export { acceptedImageFormats } from './decode-image.js';
export { getDefaultOcrModelPath } from './default-model-path.js';
export type { OcrBox, OcrLine, OcrPoint } from './group-lines.js';
export {
  defaultOcrModelFiles,
  type OcrAdapterSettings,
  type OcrModelFiles,
  type OcrModelOptions,
  type OcrRuntimeSettings,
} from './ocr-adapter-settings.js';
export type { OcrModel, OcrResult, RecognizeOptions } from './ocr-model.js';
