import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemError, type ModelInspection, ModelLoaderError } from '@model-loader/core';
import { inspectOnnxFile } from './onnx-preflight.js';

/** The files of a Whisper folder, as the adapter requires them. */
export interface WhisperFileList {
  readonly jsonFiles: readonly string[];
  readonly onnxFiles: readonly string[];
  /** Checked when present. */
  readonly optionalJsonFiles: readonly string[];
}

async function statRequired(folder: string, relativePath: string, signal: AbortSignal) {
  signal.throwIfAborted();
  const path = join(folder, relativePath);
  const info = await stat(path).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fileSystemError(error, relativePath, path);
    throw new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model directory lacks the required file ${relativePath}`,
      { path, cause: error },
    );
  });
  if (!info.isFile()) {
    throw new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model path is not a regular file: ${relativePath}`,
      {
        path,
      },
    );
  }
  if (info.size === 0) {
    throw new ModelLoaderError(
      'MODEL_FILE_EMPTY',
      `Model file is empty (0 bytes): ${relativePath}`,
      {
        path,
      },
    );
  }
  return { path, sizeInBytes: info.size };
}

async function readJson(folder: string, relativePath: string): Promise<Record<string, unknown>> {
  const path = join(folder, relativePath);
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw fileSystemError(error, relativePath, path);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelLoaderError(
      'MODEL_FILE_CORRUPT',
      `Model file ${relativePath} is not valid JSON (${(error as Error).message})`,
      { path, cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelLoaderError(
      'MODEL_FILE_CORRUPT',
      `Model file ${relativePath} is not a JSON object`,
      {
        path,
      },
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Preflight of a Whisper folder before transformers.js reads it: every required file present,
 * regular and non-empty; every JSON file parses (config.json names a Whisper model, tokenizer.json
 * has a model); every ONNX file is a protobuf model with a graph whose external data stays inside the
 * folder. Throws the `ModelLoaderError` of the first problem.
 */
export async function inspectWhisperFolder(
  folder: string,
  files: WhisperFileList,
  signal: AbortSignal,
): Promise<ModelInspection> {
  let onnxSizeInBytes = 0;
  for (const file of [...files.jsonFiles, ...files.onnxFiles]) {
    const { sizeInBytes } = await statRequired(folder, file, signal);
    if (files.onnxFiles.includes(file)) onnxSizeInBytes += sizeInBytes;
  }
  const json: Record<string, Record<string, unknown>> = {};
  for (const file of files.jsonFiles) json[file] = await readJson(folder, file);
  for (const file of files.optionalJsonFiles) {
    const present = await stat(join(folder, file)).then(
      (info) => info.isFile(),
      () => false,
    );
    if (present) json[file] = await readJson(folder, file);
  }

  const config = json['config.json'] ?? {};
  const modelType = config.model_type;
  if (modelType !== 'whisper' && modelType !== 'lite-whisper') {
    throw new ModelLoaderError(
      'MODEL_FILE_TYPE_MISMATCH',
      `Model file config.json describes a ${JSON.stringify(modelType ?? null)} model, not whisper`,
      { path: join(folder, 'config.json'), expected: 'whisper', actual: String(modelType) },
    );
  }
  const tokenizer = json['tokenizer.json'];
  if (
    tokenizer !== undefined &&
    (typeof tokenizer.model !== 'object' || tokenizer.model === null)
  ) {
    throw new ModelLoaderError('MODEL_FILE_CORRUPT', 'Model file tokenizer.json has no `model`', {
      path: join(folder, 'tokenizer.json'),
    });
  }

  let nodeCount = 0;
  let externalDataFileCount = 0;
  for (const file of files.onnxFiles) {
    const summary = await inspectOnnxFile(join(folder, file), folder, file, signal);
    nodeCount += summary.nodeCount;
    externalDataFileCount += summary.externalDataFiles.length;
  }
  const generation = json['generation_config.json'];
  const details: Record<string, string | number | boolean> = {
    modelType,
    onnxSizeInBytes,
    onnxNodeCount: nodeCount,
    externalDataFileCount,
  };
  for (const key of ['d_model', 'encoder_layers', 'decoder_layers', 'vocab_size'] as const) {
    const value = config[key];
    if (typeof value === 'number') details[key] = value;
  }
  if (typeof generation?.is_multilingual === 'boolean') {
    details.multilingual = generation.is_multilingual;
  }
  return { format: 'Whisper (ONNX, transformers.js)', details };
}
