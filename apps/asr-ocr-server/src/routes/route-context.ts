import type { UploadLimits } from '../config/upload-limits.js';

/** What the app's routes share. */
export interface AppRouteContext {
  /** Names of the models that use the Whisper adapter; the first is the default. */
  readonly speechModels: readonly string[];
  /** Names of the models that use the OCR adapter; the first is the default. */
  readonly ocrModels: readonly string[];
  readonly uploads: UploadLimits;
}
