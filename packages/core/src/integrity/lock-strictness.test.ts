import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoader } from '../model-loader.js';
import type { Logger } from '../spec/logger.js';
import { ggufHeaderBytes, useTempDirs } from '../test-support/temp-dir.js';
import { parseLockFile } from './lock-file.js';
import { createLockFileSource } from './lock-file-source.js';

const makeDir = useTempDirs();
const digest = createHash('sha256').update(ggufHeaderBytes()).digest('hex');
const entry = (path: string) => ({ path, sizeInBytes: 32, algorithm: 'sha256', digest });

async function modelDir(lockedPaths: readonly string[] | undefined, ...names: string[]) {
  const dir = await makeDir();
  await Promise.all(names.map((name) => writeFile(join(dir, name), ggufHeaderBytes())));
  if (lockedPaths) await writeLock(dir, lockedPaths);
  return dir;
}

async function writeLock(dir: string, paths: readonly string[]) {
  await writeFile(
    join(dir, 'model-loader.lock.json'),
    JSON.stringify({ lockfileVersion: 1, files: paths.map(entry) }),
  );
}

function capturingLogger() {
  const warnings: { data: object; message: string }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    error() {},
    warn: (data, message) => {
      if (message?.includes('runs unverified')) warnings.push({ data, message });
    },
  };
  return { logger, warnings };
}

describe('lock file strictness', () => {
  it('refuses a model the lock file does not pin, unless it may run unpinned (then warns)', async () => {
    const dir = await modelDir(['pinned.gguf'], 'pinned.gguf', 'sneaked.gguf', 'scratch.gguf');
    const { logger, warnings } = capturingLogger();
    const loader = new ModelLoader({
      modelDir: dir,
      lockFile: 'model-loader.lock.json',
      checksumCacheDirectory: false,
      logger,
    })
      .register({ name: 'pinned', path: 'pinned.gguf', adapter: async () => 1 })
      .register({ name: 'sneaked', path: 'sneaked.gguf', adapter: async () => 2 })
      .register({
        name: 'scratch',
        path: 'scratch.gguf',
        adapter: async () => 3,
        allowUnpinned: true,
        required: false,
      });
    const results = await loader.loadAll();
    expect(results.pinned?.ok).toBe(true);
    expect(loader.getModelInfo('pinned').verified).toBe(true);
    expect(results.sneaked?.error).toMatchObject({
      code: 'LOCK_ENTRY_MISSING',
      message:
        "Model 'sneaked': the lock file does not pin sneaked.gguf; lock it again with `model-loader lock`, or set `allowUnpinned` on the model",
    });
    expect(loader.getModelInfo('sneaked').state).toBe('failed');
    expect(results.scratch?.ok).toBe(true);
    expect(loader.getModelInfo('scratch').verified).toBe(false);
    expect(warnings).toEqual([
      {
        data: { model: 'scratch', files: ['scratch.gguf'] },
        message: "Model 'scratch' runs unverified: no checksum pins its files",
      },
    ]);
    await loader.close();
  });

  it('says verified: false and warns for a model without any checksum, and with checks off', async () => {
    const dir = await modelDir(undefined, 'free.gguf');
    const { logger, warnings } = capturingLogger();
    const loader = new ModelLoader({
      modelDir: dir,
      checksumCacheDirectory: false,
      logger,
    }).register({ name: 'free', path: 'free.gguf', adapter: async () => 1 });
    await loader.loadAll();
    expect(loader.getModelInfo('free').verified).toBe(false);
    expect(warnings.map((warning) => warning.message)).toEqual([
      "Model 'free' runs unverified: no checksum pins its files",
    ]);
    await loader.close();
    const off = new ModelLoader({ modelDir: dir, validateChecksums: false }).register({
      name: 'pinned',
      path: 'free.gguf',
      adapter: async () => 1,
      checksum: `sha256:${digest}`,
    });
    await off.loadAll();
    expect(off.getModelInfo('pinned').verified).toBe(false);
    await off.close();
  });

  it('gives a missing lock file its own code, and picks up a fixed lock file without a restart', async () => {
    const dir = await modelDir(undefined, 'llm.gguf');
    const loader = new ModelLoader({
      modelDir: dir,
      lockFile: 'model-loader.lock.json',
      checksumCacheDirectory: false,
    }).register({ name: 'llm', path: 'llm.gguf', adapter: async () => 'llm' });
    expect((await loader.loadAll()).llm?.error).toMatchObject({
      code: 'LOCK_FILE_NOT_FOUND',
      message: 'Lock file not found: model-loader.lock.json',
    });
    await writeLock(dir, ['other.gguf']);
    await expect(loader.load('llm')).rejects.toMatchObject({ code: 'LOCK_ENTRY_MISSING' });
    await writeLock(dir, ['other.gguf', 'llm.gguf']);
    expect(await loader.load('llm')).toBe('llm');
    expect(loader.getModelInfo('llm').verified).toBe(true);
    await rm(join(dir, 'model-loader.lock.json'));
    await expect(loader.reload('llm')).rejects.toMatchObject({ code: 'LOCK_FILE_NOT_FOUND' });
    expect(loader.getModelInfo('llm').state).toBe('loaded');
    await loader.close();
  });

  it('re-reads on refresh even when the stat did not change', async () => {
    const dir = await modelDir(['a.gguf']);
    const path = join(dir, 'model-loader.lock.json');
    const source = createLockFileSource(path, 'lock');
    expect((await source.read()).files.map((file) => file.path)).toEqual(['a.gguf']);
    expect(await source.read()).toBe(await source.read());
    source.refresh();
    const again = await source.read();
    expect(again.files.map((file) => file.path)).toEqual(['a.gguf']);
  });

  it('never echoes bytes of a file that is not a lock file', async () => {
    const passwd = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n';
    const dir = await makeDir();
    const path = join(dir, 'passwd');
    await writeFile(path, passwd);
    const error = await createLockFileSource(path, '/etc/passwd')
      .read()
      .catch((failure: unknown) => failure);
    expect(error).toMatchObject({
      code: 'CHECKSUM_FILE_INVALID',
      message: '/etc/passwd: not valid JSON: line 1, column 1: expected a value',
    });
    const secretJson = JSON.stringify({ lockfileVersion: 'hunter2', files: [] });
    expect(() => parseLockFile(secretJson, 'lock')).toThrow(
      'lock: `lockfileVersion` must be 1 (the only version this release reads)',
    );
    const repeated = JSON.stringify({
      lockfileVersion: 1,
      files: [entry('s3cret'), entry('s3cret')],
    });
    expect(() => parseLockFile(repeated, 'lock')).toThrow(
      'lock: `files[1].path` repeats the path of `files[0]`',
    );
    for (const text of [passwd, secretJson, repeated]) {
      const message = (() => {
        try {
          parseLockFile(text, 'lock');
          return '';
        } catch (failure) {
          return (failure as Error).message;
        }
      })();
      expect(message).not.toMatch(/root|daemon|hunter2|s3cret/);
    }
  });
});
