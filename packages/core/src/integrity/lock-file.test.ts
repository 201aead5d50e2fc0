import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamingChecksumVerifier } from '../checksum/checksum-verifier.js';
import { ModelLoader } from '../model-loader.js';
import { useTempDirs } from '../test-support/temp-dir.js';
import { type CompiledCore, compileCoreForTests } from './compile-core.test.helper.js';
import { createChecksumVerifier } from './create-checksum-verifier.js';
import { createLockFile } from './create-lock-file.js';
import {
  DEFAULT_LOCK_FILE_NAME,
  formatLockFile,
  lockedChecksum,
  normaliseLockedPath,
  parseLockFile,
  readLockFile,
  writeLockFile,
} from './lock-file.js';
import { verifyFiles } from './verify-files.js';

const tempDir = useTempDirs();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
let core: CompiledCore;

beforeAll(async () => {
  core = await compileCoreForTests();
});
afterAll(async () => {
  await core?.remove();
});

async function modelDirWith(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

describe('lock file', () => {
  it('pins every file, writes atomically and reads back; checks find each kind of failure', async () => {
    const dir = await modelDirWith({
      'llm.gguf': 'gguf weights',
      'ocr/det.onnx': 'det',
      'ocr/rec.onnx': 'rec',
    });
    const lock = await createLockFile(
      [
        { path: 'ocr/rec.onnx', model: 'ocr' },
        { path: './llm.gguf', model: 'llm' },
        { path: 'ocr/det.onnx', algorithm: 'md5' },
      ],
      streamingChecksumVerifier,
      { modelDirectory: dir },
    );
    const lockPath = join(dir, DEFAULT_LOCK_FILE_NAME);
    await writeLockFile(lockPath, lock);
    expect(await readFile(lockPath, 'utf8')).toBe(formatLockFile(lock));
    const read = await readLockFile(lockPath);
    expect(read.files.map((file) => file.path)).toEqual([
      'llm.gguf',
      'ocr/det.onnx',
      'ocr/rec.onnx',
    ]);
    expect(read.files[0]).toEqual({
      path: 'llm.gguf',
      sizeInBytes: 12,
      algorithm: 'sha256',
      digest: sha256('gguf weights'),
      model: 'llm',
    });
    expect(lockedChecksum(read, './llm.gguf')).toEqual({
      algorithm: 'sha256',
      digest: sha256('gguf weights'),
    });
    expect(lockedChecksum(read, 'other.gguf')).toBeUndefined();

    await writeFile(join(dir, 'ocr/det.onnx'), 'DET');
    await writeFile(join(dir, 'ocr/rec.onnx'), 'longer rec');
    await writeFile(join(dir, 'llm.gguf'), 'gguf weights');
    const verifier = createChecksumVerifier({ cacheDirectory: false, workerUrl: core.workerUrl });
    const results = await verifyFiles(
      [
        ...read.files.map((file) => ({
          path: file.path,
          expected: file,
          sizeInBytes: file.sizeInBytes,
        })),
        { path: 'gone.gguf', expected: { algorithm: 'sha256', digest: sha256('') } },
      ],
      verifier,
      { baseDirectory: dir },
    );
    await verifier.close();
    expect(
      results.map(({ path, status, code, message }) => ({ path, status, code, message })),
    ).toEqual([
      { path: 'llm.gguf', status: 'ok', code: undefined, message: undefined },
      {
        path: 'ocr/det.onnx',
        status: 'mismatch',
        code: 'CHECKSUM_MISMATCH',
        message: `Checksum mismatch! Expected: ${read.files[1]?.digest}, Got: ${createHash('md5').update('DET').digest('hex')}`,
      },
      {
        path: 'ocr/rec.onnx',
        status: 'mismatch',
        code: 'CHECKSUM_MISMATCH',
        message: 'Size mismatch! Expected: 3 bytes, Got: 10 bytes',
      },
      {
        path: 'gone.gguf',
        status: 'missing',
        code: 'MODEL_FILE_NOT_FOUND',
        message: 'Model file not found: gone.gguf',
      },
    ]);
  });

  it('refuses to lock a path outside the model directory or a folder', async () => {
    const dir = await modelDirWith({ 'sub/a': 'a' });
    await expect(
      createLockFile([{ path: '../x' }], streamingChecksumVerifier, { modelDirectory: dir }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'Cannot lock ../x: the path must stay inside the model directory',
    });
    await expect(
      createLockFile([{ path: 'sub' }], streamingChecksumVerifier, { modelDirectory: dir }),
    ).rejects.toMatchObject({
      code: 'MODEL_FILE_NOT_REGULAR',
    });
  });

  it('names what is wrong in a malformed lock file', () => {
    const file = { path: 'a.gguf', sizeInBytes: 1, algorithm: 'sha256', digest: sha256('a') };
    const cases: [unknown, string][] = [
      ['{', "L: not valid JSON: line 1, column 2: expected a string key or '}'"],
      [[], 'L: not a JSON object'],
      [
        { lockfileVersion: 2, files: [] },
        'L: `lockfileVersion` must be 1 (the only version this release reads)',
      ],
      [{ lockfileVersion: 1 }, 'L: `files` must be an array'],
      [
        { lockfileVersion: 1, files: [{ ...file, path: '/etc/passwd' }] },
        'L: `files[0].path` must be a relative path inside the model directory',
      ],
      [
        { lockfileVersion: 1, files: [file, { ...file, path: './a.gguf' }] },
        'L: `files[1].path` repeats the path of `files[0]`',
      ],
      [
        { lockfileVersion: 1, files: [{ ...file, sizeInBytes: -1 }] },
        'L: `files[0].sizeInBytes` must be a non-negative integer',
      ],
      [
        { lockfileVersion: 1, files: [{ ...file, algorithm: 'crc32' }] },
        'L: `files[0].algorithm` must be one of sha256, sha1, md5',
      ],
      [
        { lockfileVersion: 1, files: [{ ...file, digest: 'abc' }] },
        'L: `files[0].digest` must be 64 hex digits',
      ],
    ];
    for (const [value, message] of cases) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      expect(() => parseLockFile(text, 'L')).toThrowError(
        expect.objectContaining({ code: 'CHECKSUM_FILE_INVALID' }),
      );
      expect(() => parseLockFile(text, 'L')).toThrowError(message);
    }
  });

  it('normalises locked paths', () => {
    expect(normaliseLockedPath('./a//b/../c.gguf')).toBe('a/c.gguf');
    expect(normaliseLockedPath('sub\\file.onnx')).toBe('sub/file.onnx');
    for (const bad of ['', '.', '..', '../a', 'a/../../b', '/abs', 'C:/x'])
      expect(normaliseLockedPath(bad)).toBeUndefined();
  });
});

describe('through the ModelLoader', () => {
  it('verifies with the worker verifier and answers the next start from the cache', async () => {
    const dir = await modelDirWith({ 'm.bin': 'model bytes' });
    await sleep(150);
    const cacheDirectory = join(dir, '.cache');
    const sources: string[] = [];
    for (let start = 0; start < 2; start += 1) {
      const checksumVerifier = createChecksumVerifier({
        cacheDirectory,
        workerUrl: core.workerUrl,
      });
      const loader = new ModelLoader({ modelDir: dir, checksumVerifier });
      loader.on('checksumVerified', (event) => sources.push(event.source));
      loader.register({
        name: 'm',
        path: 'm.bin',
        adapter: async () => 'model',
        checksum: `sha256:${sha256('model bytes')}`,
      });
      await loader.loadAll();
      expect(loader.get('m')).toBe('model');
      await loader.close();
      await checksumVerifier.close();
    }
    expect(sources).toEqual(['computed', 'cache']);
  });
});
