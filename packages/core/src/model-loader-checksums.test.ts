import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoader } from './model-loader.js';
import type { ModelAdapter } from './spec/model-adapter.js';
import { createCountingAdapter } from './test-support/controllable-loader.js';
import { useModelDirs } from './test-support/model-dirs.js';
import { ggufHeaderBytes } from './test-support/temp-dir.js';

const { makeDir, modelDirWith } = useModelDirs();

describe('ModelLoader checksums', () => {
  it('verifies checksums with the seed message on mismatch, and skips them when disabled', async () => {
    const dir = await modelDirWith('m.gguf');
    const digest = createHash('sha256').update(ggufHeaderBytes()).digest('hex');
    const wrong = 'f'.repeat(64);
    const { adapter, stats } = createCountingAdapter();
    const loader = new ModelLoader({ modelDir: dir })
      .register({ name: 'good', path: 'm.gguf', adapter: adapter, checksum: `sha256:${digest}` })
      .register({
        name: 'bad',
        path: 'm.gguf',
        adapter: adapter,
        checksum: { algorithm: 'sha256', expected: wrong },
      });
    const results = await loader.loadAll();
    expect(results.good?.ok).toBe(true);
    expect(loader.getModelInfo('good').files[0]?.checksum).toEqual({
      algorithm: 'sha256',
      digest,
      source: 'computed',
    });
    expect(results.bad?.error?.code).toBe('CHECKSUM_MISMATCH');
    expect(results.bad?.error?.message).toBe(
      `Checksum mismatch! Expected: ${wrong}, Got: ${digest}\nFile may be corrupted or tampered with.`,
    );
    expect(stats.loads).toBe(1);
    const unchecked = new ModelLoader({ modelDir: dir, validateChecksums: false }).register({
      name: 'bad',
      path: 'm.gguf',
      adapter: adapter,
      checksum: `sha256:${wrong}`,
    });
    await expect(unchecked.load('bad')).resolves.toMatchObject({ disposed: false });
  });

  it('answers an unchanged file from the fingerprint cache on the next start, unless strict', async () => {
    const dir = await modelDirWith('m.gguf');
    const cacheDir = await makeDir();
    const digest = createHash('sha256').update(ggufHeaderBytes()).digest('hex');
    const start = async (strictChecksums: boolean) => {
      const loader = new ModelLoader({
        modelDir: dir,
        checksumCacheDirectory: cacheDir,
        strictChecksums,
      }).register({
        name: 'm',
        path: 'm.gguf',
        adapter: async () => 1,
        checksum: `sha256:${digest}`,
      });
      await loader.load('m');
      const source = loader.getModelInfo('m').files[0]?.checksum?.source;
      await loader.close();
      return source;
    };
    // A file changed within the last 100 ms is never cached (a second write could share its timestamp).
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await start(false)).toBe('computed');
    expect(await start(false)).toBe('cache');
    expect(await start(true)).toBe('computed');
  });

  it('verifies models against a lock file when their spec has no checksum', async () => {
    const dir = await modelDirWith('good.gguf', 'bad.gguf');
    const digest = createHash('sha256').update(ggufHeaderBytes()).digest('hex');
    const lock = {
      lockfileVersion: 1,
      files: [
        { path: 'good.gguf', sizeInBytes: 32, algorithm: 'sha256', digest },
        { path: 'bad.gguf', sizeInBytes: 32, algorithm: 'sha256', digest: '0'.repeat(64) },
      ],
    };
    await writeFile(join(dir, 'model-loader.lock.json'), JSON.stringify(lock));
    const loader = new ModelLoader({
      modelDir: dir,
      lockFile: 'model-loader.lock.json',
      checksumCacheDirectory: false,
    })
      .register({ name: 'good', path: 'good.gguf', adapter: async () => 1 })
      .register({ name: 'bad', path: 'bad.gguf', adapter: async () => 2 });
    const results = await loader.loadAll();
    expect(results.good?.ok).toBe(true);
    expect(loader.getModelInfo('good').files[0]?.checksum?.digest).toBe(digest);
    expect(results.bad?.error?.code).toBe('CHECKSUM_MISMATCH');
    await loader.close();
  });

  it('verifies each listed file of a directory model', async () => {
    const dir = await makeDir();
    await mkdir(join(dir, 'ocr'));
    await writeFile(join(dir, 'ocr/dict.txt'), 'abc');
    const adapter: ModelAdapter<string> = {
      kind: 'directory',
      requiredFiles: ['dict.txt'],
      load: async () => 'ocr',
    };
    const md5 = createHash('md5').update('abc').digest('hex');
    const loader = new ModelLoader({ modelDir: dir })
      .register({
        name: 'ok',
        path: 'ocr',
        adapter: adapter,
        checksum: { 'dict.txt': `md5:${md5}` },
      })
      .register({
        name: 'bad',
        path: 'ocr',
        adapter: adapter,
        checksum: { 'dict.txt': `md5:${'0'.repeat(32)}` },
      });
    const results = await loader.loadAll();
    expect(results.ok?.ok).toBe(true);
    expect(results.bad?.error?.code).toBe('CHECKSUM_MISMATCH');
  });
});
