import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemError } from './file-system-error.js';
import { ModelLoaderError } from './model-loader-error.js';

async function errnoOf(action: () => Promise<unknown>): Promise<unknown> {
  return action().then(
    () => {
      throw new Error('expected the file system to refuse');
    },
    (error: unknown) => error,
  );
}

describe('fileSystemError', () => {
  it('maps real node:fs errors to the model-file codes, showing only the shown path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-error-'));
    try {
      const missing = join(dir, 'missing.gguf');
      const notFound = fileSystemError(
        await errnoOf(() => open(missing)),
        'missing.gguf',
        missing,
        'm',
      );
      expect(notFound).toMatchObject({
        code: 'MODEL_FILE_NOT_FOUND',
        message: 'Model file not found: missing.gguf',
        path: missing,
        modelName: 'm',
        isRetryable: false,
      });
      const underFile = fileSystemError(
        await errnoOf(() => open(join(missing, 'x'))),
        'missing.gguf/x',
        join(missing, 'x'),
      );
      expect(underFile.code).toBe('MODEL_FILE_NOT_FOUND');
      const handle = await open(dir, 'r');
      const isDir = fileSystemError(await errnoOf(() => handle.readFile()), 'dir', dir);
      await handle.close();
      expect(isDir).toMatchObject({
        code: 'MODEL_FILE_NOT_REGULAR',
        message: 'Model path is not a regular file: dir',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('permission errors, other errno codes and coded errors', () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(fileSystemError(denied, 'a.onnx', '/m/a.onnx')).toMatchObject({
      code: 'MODEL_FILE_NOT_READABLE',
      message: 'Model file is not readable (permission denied): a.onnx',
      isRetryable: false,
    });
    const io = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    expect(fileSystemError(io, 'a.onnx', '/m/a.onnx')).toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      message: 'Cannot access model file a.onnx: EIO: i/o error, read',
      isRetryable: true,
    });
    const coded = new ModelLoaderError('MODEL_FILE_EMPTY', 'empty');
    expect(fileSystemError(coded, 'a', '/a')).toBe(coded);
  });
});
