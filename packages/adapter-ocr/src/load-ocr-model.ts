import { join } from 'node:path';
import { ModelLoaderError } from '@model-loader/core';
import type { InferenceSession } from 'onnxruntime-node';
import { sessionError } from './file-error.js';
import { loadOnnxRuntime } from './load-native.js';
import type { OcrModelFiles, OcrRuntimeSettings } from './ocr-adapter-settings.js';
import { createOcrModel, type OcrModel } from './ocr-model.js';
import { readDictionary } from './read-dictionary.js';

type Role = 'detection' | 'recognition' | 'classification';

/**
 * Opens the three onnxruntime sessions of a PaddleOCR folder and checks they fit together: image
 * inputs with 3 channels, a detector with one probability map, a classifier with 2 classes, and a
 * recogniser with one class per dictionary entry plus blank and space.
 * @throws ModelLoaderError MODEL_FILE_CORRUPT, MODEL_FILE_NOT_FOUND, MODEL_LOAD_FAILED; the signal's reason when aborted
 */
export async function loadOcrModel(
  folder: string,
  files: OcrModelFiles,
  settings: OcrRuntimeSettings,
  signal: AbortSignal,
): Promise<OcrModel> {
  const ort = await loadOnnxRuntime();
  signal.throwIfAborted();
  const characters = await readDictionary(join(folder, files.dictionary));
  const opened: InferenceSession[] = [];
  const open = async (role: Role): Promise<InferenceSession> => {
    signal.throwIfAborted();
    const path = join(folder, files[role]);
    const session = await ort.InferenceSession.create(path, {
      executionProviders: [
        ...settings.executionProviders,
      ] as InferenceSession.ExecutionProviderConfig[],
      ...(settings.threadCount === undefined ? {} : { intraOpNumThreads: settings.threadCount }),
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    }).catch((error: unknown) => {
      throw sessionError(error, path, role);
    });
    opened.push(session);
    checkShape(session, role, path, characters.length);
    return session;
  };
  try {
    const detection = await open('detection');
    const recognition = await open('recognition');
    const classification = await open('classification');
    signal.throwIfAborted();
    return createOcrModel(
      { detection, recognition, classification, characters, Tensor: ort.Tensor },
      settings,
    );
  } catch (error) {
    await Promise.allSettled(opened.map((session) => session.release()));
    throw error;
  }
}

function checkShape(
  session: InferenceSession,
  role: Role,
  path: string,
  characterCount: number,
): void {
  const input = session.inputMetadata[0];
  const output = session.outputMetadata[0];
  const inputShape = input?.isTensor ? input.shape : [];
  const outputShape = output?.isTensor ? output.shape : [];
  const fail = (reason: string) =>
    new ModelLoaderError(
      'MODEL_FILE_CORRUPT',
      `OCR ${role} model ${path.split(/[\\/]/).at(-1)} does not fit: ${reason}`,
      { path },
    );
  if (session.inputNames.length !== 1 || inputShape.length !== 4 || inputShape[1] !== 3) {
    throw fail(
      `expected one image input [batch, 3, height, width], found ${JSON.stringify(inputShape)}`,
    );
  }
  if (role === 'detection' && (outputShape.length !== 4 || outputShape[1] !== 1)) {
    throw fail(
      `expected a probability map [batch, 1, height, width], found ${JSON.stringify(outputShape)}`,
    );
  }
  if (role === 'classification' && (outputShape.length !== 2 || outputShape[1] !== 2)) {
    throw fail(`expected two classes (0 and 180 degrees), found ${JSON.stringify(outputShape)}`);
  }
  if (role === 'recognition') {
    const classes = outputShape[2];
    if (
      outputShape.length !== 3 ||
      (typeof classes === 'number' && classes !== characterCount + 1)
    ) {
      throw fail(
        `it predicts ${String(classes)} classes, the dictionary gives ${characterCount + 1} (blank, ${characterCount - 1} entries, space); are the dictionary and the model from the same release?`,
      );
    }
  }
}
