import { constants, type Stats } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemError } from '../errors/file-system-error.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { RequiredFile } from '../spec/model-adapter.js';
import { type ModelFormat, modelFormatLabels } from '../spec/model-format.js';
import { displayPath, resolveModelPath } from './resolve-model-path.js';
import { sniffFileFormat } from './sniff-format.js';

/** One validated file of a model. */
export interface ValidatedFile {
  /** Real absolute path. */
  readonly path: string;
  /** Path relative to the model's folder (`.` for a single-file model). */
  readonly relativePath: string;
  readonly sizeInBytes: number;
  /** Format seen in the magic bytes. */
  readonly format: ModelFormat;
}

/** What validation needs to know about the model. */
export interface ValidationTarget {
  readonly modelName: string;
  /** Real path of the model directory (the confinement root). */
  readonly modelDir: string;
  /** The spec's path, as written. */
  readonly specPath: string;
  readonly kind: 'file' | 'directory';
  readonly format?: ModelFormat;
  readonly requiredFiles?: readonly (string | RequiredFile)[];
}

/** Validated model path and its files. */
export interface ValidatedModel {
  readonly path: string;
  readonly files: readonly ValidatedFile[];
  readonly sizeInBytes: number;
}

/**
 * Checks, before any loader runs: confinement, existence, file type, size, read permission and the
 * magic bytes of every file of the model.
 */
export async function validateModel(target: ValidationTarget): Promise<ValidatedModel> {
  const { modelDir, modelName } = target;
  const path = await resolveModelPath(modelDir, target.specPath, modelName);
  const stats = await statOrThrow(path, modelDir, modelName);
  if (target.kind === 'file') {
    const file = await validateFile(path, stats, '.', target.format, modelDir, modelName);
    return { path, files: [file], sizeInBytes: file.sizeInBytes };
  }
  if (!stats.isDirectory()) {
    throw new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model path is not a directory: ${displayPath(modelDir, path)}`,
      { path, modelName },
    );
  }
  const files: ValidatedFile[] = [];
  for (const required of target.requiredFiles ?? []) {
    const { path: relativePath, format } =
      typeof required === 'string' ? { path: required } : required;
    const filePath = await resolveModelPath(modelDir, join(path, relativePath), modelName).catch(
      (error: unknown) => {
        if (ModelLoaderError.hasCode(error, 'MODEL_FILE_NOT_FOUND')) {
          throw new ModelLoaderError(
            'MODEL_FILE_NOT_REGULAR',
            `Model directory ${displayPath(modelDir, path)} lacks the required file ${relativePath}`,
            { path: join(path, relativePath), modelName, cause: error },
          );
        }
        throw error;
      },
    );
    const fileStats = await statOrThrow(filePath, modelDir, modelName);
    files.push(await validateFile(filePath, fileStats, relativePath, format, modelDir, modelName));
  }
  return { path, files, sizeInBytes: files.reduce((sum, file) => sum + file.sizeInBytes, 0) };
}

async function statOrThrow(path: string, modelDir: string, modelName: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw fileSystemError(error, displayPath(modelDir, path), path, modelName, modelDir);
  }
}

async function validateFile(
  path: string,
  stats: Stats,
  relativePath: string,
  expectedFormat: ModelFormat | undefined,
  modelDir: string,
  modelName: string,
): Promise<ValidatedFile> {
  const shown = displayPath(modelDir, path);
  if (!stats.isFile()) {
    throw new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model path is not a regular file: ${shown}`,
      {
        path,
        modelName,
      },
    );
  }
  if (stats.size === 0) {
    throw new ModelLoaderError('MODEL_FILE_EMPTY', `Model file is empty (0 bytes): ${shown}`, {
      path,
      modelName,
    });
  }
  let format: ModelFormat;
  try {
    await access(path, constants.R_OK);
    format = await sniffFileFormat(path);
  } catch (error) {
    throw fileSystemError(error, shown, path, modelName, modelDir);
  }
  if (expectedFormat !== undefined && format !== expectedFormat) {
    throw new ModelLoaderError(
      'MODEL_FILE_TYPE_MISMATCH',
      `Model file type mismatch: expected ${modelFormatLabels[expectedFormat]}, found ${modelFormatLabels[format]}: ${shown}`,
      { path, modelName, expected: expectedFormat, actual: format },
    );
  }
  return { path, relativePath, sizeInBytes: stats.size, format };
}
