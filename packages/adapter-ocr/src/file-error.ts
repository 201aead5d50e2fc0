import { basename } from 'node:path';
import { fileSystemError, ModelLoaderError } from '@model-loader/core';

/**
 * Maps a node:fs error on a model file to the engine's codes (core's `fileSystemError`), naming the
 * file by its base name only: messages may reach HTTP clients.
 */
export function fileError(error: unknown, path: string): ModelLoaderError {
  return fileSystemError(error, basename(path), path);
}

/**
 * Maps an error of `InferenceSession.create`. onnxruntime's texts (TOOLCHAIN.md): a missing file
 * "... failed. File doesn't exist", an empty one "ModelProto does not have a graph", truncated or random
 * bytes "Protobuf parsing failed."; those are deterministic and never retried.
 */
export function sessionError(error: unknown, path: string, role: string): ModelLoaderError {
  const message = (error as Error)?.message ?? String(error);
  const name = basename(path);
  if (/File doesn't exist|No such file/i.test(message)) {
    return new ModelLoaderError('MODEL_FILE_NOT_FOUND', `Model file not found: ${name}`, {
      path,
      cause: error,
    });
  }
  if (
    /Protobuf parsing failed|does not have a graph|invalid model|INVALID_PROTOBUF|INVALID_GRAPH|Load model .* failed/i.test(
      message,
    )
  ) {
    return new ModelLoaderError(
      'MODEL_FILE_CORRUPT',
      `OCR ${role} model ${name} is not a valid ONNX model: ${shorten(message, path)}`,
      { path, cause: error },
    );
  }
  return new ModelLoaderError(
    'MODEL_LOAD_FAILED',
    `Cannot load OCR ${role} model ${name}: ${shorten(message, path)}`,
    {
      path,
      cause: error,
    },
  );
}

// onnxruntime repeats the absolute path in its messages; errors may reach HTTP clients, paths may not.
function shorten(message: string, path: string): string {
  return message.split(path).join(basename(path));
}
