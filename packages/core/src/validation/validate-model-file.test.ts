import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { ggufHeaderBytes, useTempDirs } from '../test-support/temp-dir.js';
import { type ValidationTarget, validateModel } from './validate-model-file.js';

const makeDir = useTempDirs();

function target(
  modelDir: string,
  specPath: string,
  extra: Partial<ValidationTarget> = {},
): ValidationTarget {
  return { modelName: 'summariser', modelDir, specPath, kind: 'file', ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<ModelLoaderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!ModelLoaderError.isInstance(error))
    throw new Error(`expected a ModelLoaderError, got ${String(error)}`);
  return error;
}

describe('validateModel', () => {
  it('accepts a GGUF file and reports its size and format', async () => {
    const dir = await makeDir();
    await writeFile(join(dir, 'm.gguf'), ggufHeaderBytes());
    const result = await validateModel(target(dir, 'm.gguf', { format: 'gguf' }));
    expect(result.sizeInBytes).toBe(32);
    expect(result.files[0]?.format).toBe('gguf');
  });

  it('rejects a missing file with the seed message and the model directory it searched', async () => {
    const dir = await makeDir();
    const error = await rejection(validateModel(target(dir, 'missing.gguf')));
    expect(error.code).toBe('MODEL_FILE_NOT_FOUND');
    expect(error.message).toBe(
      `Model file not found: missing.gguf (searched the model directory ${realpathSync(dir)})`,
    );
    expect(error.path).toBe(join(dir, 'missing.gguf'));
  });

  it('rejects an empty file with the seed message', async () => {
    const dir = await makeDir();
    await writeFile(join(dir, 'empty.gguf'), '');
    const error = await rejection(validateModel(target(dir, 'empty.gguf')));
    expect(error.code).toBe('MODEL_FILE_EMPTY');
    expect(error.message).toBe('Model file is empty (0 bytes): empty.gguf');
  });

  it('rejects a directory where a file is expected', async () => {
    const dir = await makeDir();
    await mkdir(join(dir, 'folder.gguf'));
    const error = await rejection(validateModel(target(dir, 'folder.gguf')));
    expect(error.code).toBe('MODEL_FILE_NOT_REGULAR');
    expect(error.message).toBe('Model path is not a regular file: folder.gguf');
  });

  it('rejects a file where a directory model is expected', async () => {
    const dir = await makeDir();
    await writeFile(join(dir, 'whisper'), 'x');
    const error = await rejection(validateModel(target(dir, 'whisper', { kind: 'directory' })));
    expect(error.code).toBe('MODEL_FILE_NOT_REGULAR');
    expect(error.message).toBe('Model path is not a directory: whisper');
  });

  it('rejects a model directory that lacks a required file, naming it', async () => {
    const dir = await makeDir();
    await mkdir(join(dir, 'whisper/onnx'), { recursive: true });
    await writeFile(join(dir, 'whisper/config.json'), '{}');
    const error = await rejection(
      validateModel(
        target(dir, 'whisper', {
          kind: 'directory',
          requiredFiles: ['config.json', 'onnx/encoder_model.onnx'],
        }),
      ),
    );
    expect(error.code).toBe('MODEL_FILE_NOT_REGULAR');
    expect(error.message).toBe(
      'Model directory whisper lacks the required file onnx/encoder_model.onnx',
    );
  });

  it('validates every required file of a directory model, format included', async () => {
    const dir = await makeDir();
    await mkdir(join(dir, 'ocr'));
    await writeFile(join(dir, 'ocr/det.onnx'), Buffer.from([0x08, 0x07, 0x12, 0x00]));
    await writeFile(join(dir, 'ocr/dict.txt'), '');
    const spec = target(dir, 'ocr', {
      kind: 'directory',
      requiredFiles: [{ path: 'det.onnx', format: 'onnx' }, 'dict.txt'],
    });
    const error = await rejection(validateModel(spec));
    expect(error.code).toBe('MODEL_FILE_EMPTY');
    expect(error.message).toBe('Model file is empty (0 bytes): ocr/dict.txt');
    await writeFile(join(dir, 'ocr/dict.txt'), 'a\nb\n');
    const result = await validateModel(spec);
    expect(result.files.map((file) => [file.relativePath, file.format])).toEqual([
      ['det.onnx', 'onnx'],
      ['dict.txt', 'unknown'],
    ]);
  });

  it('names the expected and the found format on a type mismatch', async () => {
    const dir = await makeDir();
    await writeFile(join(dir, 'model.gguf'), Buffer.from('PK\u0003\u0004rest-of-a-zip'));
    const error = await rejection(validateModel(target(dir, 'model.gguf', { format: 'gguf' })));
    expect(error.code).toBe('MODEL_FILE_TYPE_MISMATCH');
    expect(error.message).toBe(
      'Model file type mismatch: expected GGUF, found zip/pickle: model.gguf',
    );
    expect([error.expected, error.actual]).toEqual(['gguf', 'zip']);
  });

  it('rejects paths that leave the model directory, as written or through a symlink', async () => {
    const root = await makeDir();
    const modelDir = join(root, 'models');
    await mkdir(modelDir);
    await writeFile(join(root, 'secret.gguf'), ggufHeaderBytes());
    await symlink(join(root, 'secret.gguf'), join(modelDir, 'link.gguf'));
    for (const specPath of [
      '../secret.gguf',
      join(root, 'secret.gguf'),
      'link.gguf',
      'a/../../secret.gguf',
    ]) {
      const error = await rejection(validateModel(target(modelDir, specPath)));
      expect(error.code, specPath).toBe('MODEL_PATH_OUTSIDE_ROOT');
    }
    const nul = await rejection(validateModel(target(modelDir, 'x\0.gguf')));
    expect(nul.code).toBe('MODEL_PATH_OUTSIDE_ROOT');
  });

  it('follows a symlink that stays inside the model directory', async () => {
    const dir = await makeDir();
    await writeFile(join(dir, 'real.gguf'), ggufHeaderBytes());
    await symlink(join(dir, 'real.gguf'), join(dir, 'alias.gguf'));
    const result = await validateModel(target(dir, 'alias.gguf', { format: 'gguf' }));
    expect(result.path).toBe(join(dir, 'real.gguf'));
  });

  it('rejects an unreadable file, checked by an unprivileged process (root reads mode 000 files)', async () => {
    const dir = await makeDir();
    const file = join(dir, 'locked.gguf');
    await writeFile(file, ggufHeaderBytes());
    await chmod(file, 0o000);
    const moduleUrl = new URL('../../dist/validation/validate-model-file.js', import.meta.url).href;
    const script = `
      const { validateModel } = await import(${JSON.stringify(moduleUrl)});
      try { await validateModel({ modelName: 'm', modelDir: ${JSON.stringify(dir)}, specPath: 'locked.gguf', kind: 'file' }); console.log('OK'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const asRoot = process.getuid?.() === 0;
    const command = asRoot
      ? [
          'setpriv',
          [
            '--reuid=nobody',
            '--regid=nogroup',
            '--clear-groups',
            process.execPath,
            '--input-type=module',
            '-e',
            script,
          ],
        ]
      : [process.execPath, ['--input-type=module', '-e', script]];
    const child = spawnSync(command[0] as string, command[1] as string[], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      code: 'MODEL_FILE_NOT_READABLE',
      message: 'Model file is not readable (permission denied): locked.gguf',
    });
  });
});
