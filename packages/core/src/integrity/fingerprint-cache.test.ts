import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../spec/logger.js';
import { useTempDirs } from '../test-support/temp-dir.js';
import { type CompiledCore, compileCoreForTests } from './compile-core.test.helper.js';
import {
  createChecksumVerifier,
  type IntegrityChecksumVerifier,
} from './create-checksum-verifier.js';
import { readFileFingerprint } from './file-fingerprint.js';
import {
  createFingerprintCache,
  defaultFingerprintCacheDirectory,
  fingerprintCacheEntryName,
} from './fingerprint-cache.js';

const run = promisify(execFile);
const tempDir = useTempDirs();
let core: CompiledCore;
const verifiers: IntegrityChecksumVerifier[] = [];

beforeAll(async () => {
  core = await compileCoreForTests([
    'integrity/hash-worker.ts',
    'integrity/fingerprint-cache.ts',
    'integrity/file-fingerprint.ts',
  ]);
});

afterAll(async () => {
  await Promise.all(verifiers.map((verifier) => verifier.close()));
  await core?.remove();
});

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    error() {},
    warn: (_data, message) => warnings.push(message ?? ''),
  };
}

function verifierIn(cacheDirectory: string, options: { strict?: boolean; logger?: Logger } = {}) {
  const verifier = createChecksumVerifier({
    cacheDirectory,
    workerUrl: core.workerUrl,
    threadCount: 2,
    ...options,
  });
  verifiers.push(verifier);
  return verifier;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Sets a file's mtime to the nanosecond (`fs.utimes` takes a double, which rounds). */
async function setMtime(path: string, mtimeInNs: bigint): Promise<void> {
  const seconds = mtimeInNs / 1_000_000_000n;
  const nanoseconds = (mtimeInNs % 1_000_000_000n).toString().padStart(9, '0');
  await run('touch', ['-m', '-d', `@${seconds}.${nanoseconds}`, path]);
}

/** Writes a file and waits out the racy window, so its first digest may be cached. */
async function settledFile(path: string, content: string): Promise<string> {
  await writeFile(path, content);
  await sleep(150);
  return path;
}

describe('fingerprint cache', () => {
  it('answers an unchanged file from the cache, and a strict verifier ignores it', async () => {
    const dir = await tempDir();
    const file = await settledFile(join(dir, 'model.gguf'), 'weights v1');
    const verifier = verifierIn(join(dir, 'cache'));
    expect(await verifier.digest(file, 'sha256')).toEqual({
      algorithm: 'sha256',
      digest: sha256('weights v1'),
      source: 'computed',
    });
    const progress: number[] = [];
    expect(
      await verifier.digest(file, 'sha256', { onProgress: (done) => progress.push(done) }),
    ).toEqual({
      algorithm: 'sha256',
      digest: sha256('weights v1'),
      source: 'cache',
    });
    expect(progress).toEqual([10]);
    expect((await verifier.digest(file, 'md5')).source).toBe('computed');
    expect(
      (await verifierIn(join(dir, 'cache'), { strict: true }).digest(file, 'sha256')).source,
    ).toBe('computed');
    // A strict verifier refreshes the cache without reading it, so it never trusts a forged entry.
    const entry = join(
      dir,
      'cache',
      fingerprintCacheEntryName((await readFileFingerprint(file)).realPath, 'sha256'),
    );
    const forged = JSON.parse(await readFile(entry, 'utf8'));
    await writeFile(entry, JSON.stringify({ ...forged, digest: '0'.repeat(64) }));
    expect((await verifier.digest(file, 'sha256')).digest).toBe('0'.repeat(64));
    expect(
      (await verifierIn(join(dir, 'cache'), { strict: true }).digest(file, 'sha256')).digest,
    ).toBe(sha256('weights v1'));
    expect((await verifier.digest(file, 'sha256')).digest).toBe(sha256('weights v1'));
    expect(await readdir(join(dir, 'cache'))).toHaveLength(2);
  });

  it('re-hashes after a same-size rewrite, even with the old mtime put back', async () => {
    const dir = await tempDir();
    const file = await settledFile(join(dir, 'model.gguf'), 'weights v1');
    const verifier = verifierIn(join(dir, 'cache'));
    await verifier.digest(file, 'sha256');
    const before = await stat(file, { bigint: true });
    await writeFile(file, 'weights v2');
    await setMtime(file, before.mtimeNs);
    expect((await stat(file, { bigint: true })).mtimeNs).toBe(before.mtimeNs);
    expect(await verifier.digest(file, 'sha256')).toMatchObject({
      digest: sha256('weights v2'),
      source: 'computed',
    });
  });

  it('re-hashes after a touch', async () => {
    const dir = await tempDir();
    const file = await settledFile(join(dir, 'model.gguf'), 'weights');
    const verifier = verifierIn(join(dir, 'cache'));
    await verifier.digest(file, 'sha256');
    await run('touch', [file]);
    expect((await verifier.digest(file, 'sha256')).source).toBe('computed');
  });

  it('re-hashes a file replaced by rename with the same size and mtime', async () => {
    const dir = await tempDir();
    const file = await settledFile(join(dir, 'model.gguf'), 'weights v1');
    const verifier = verifierIn(join(dir, 'cache'));
    await verifier.digest(file, 'sha256');
    const before = await stat(file, { bigint: true });
    const replacement = join(dir, 'model.gguf.partial');
    await writeFile(replacement, 'weights v2');
    await setMtime(replacement, before.mtimeNs);
    await rename(replacement, file);
    expect(await verifier.digest(file, 'sha256')).toMatchObject({
      digest: sha256('weights v2'),
      source: 'computed',
    });
  });

  it('does not cache a file that changed just before it was hashed (racily clean)', async () => {
    const dir = await tempDir();
    const file = join(dir, 'model.gguf');
    await writeFile(file, 'fresh');
    const verifier = verifierIn(join(dir, 'cache'));
    await verifier.digest(file, 'sha256');
    expect((await verifier.digest(file, 'sha256')).source).toBe('computed');
  });

  it('keys entries by real path, so a symlink shares its target entry', async () => {
    const dir = await tempDir();
    const file = await settledFile(join(dir, 'model.gguf'), 'weights');
    await run('ln', ['-s', 'model.gguf', join(dir, 'link.gguf')]);
    const verifier = verifierIn(join(dir, 'cache'));
    await verifier.digest(file, 'sha256');
    expect((await verifier.digest(join(dir, 'link.gguf'), 'sha256')).source).toBe('cache');
  });

  it('ignores a corrupt cache entry with a warning and writes a good one', async () => {
    const dir = await tempDir();
    const file = await settledFile(join(dir, 'model.gguf'), 'weights');
    const logger = recordingLogger();
    const verifier = verifierIn(join(dir, 'cache'), { logger });
    await verifier.digest(file, 'sha256');
    const entry = join(
      dir,
      'cache',
      fingerprintCacheEntryName(await readFileFingerprint(file).then((f) => f.realPath), 'sha256'),
    );
    for (const garbage of ['{"version":1,"digest":', '[]', '{"version":1}', '\u0000\u0001']) {
      await writeFile(entry, garbage);
      expect(await verifier.digest(file, 'sha256')).toMatchObject({
        digest: sha256('weights'),
        source: 'computed',
      });
    }
    expect(logger.warnings).toEqual([
      'Ignoring corrupt fingerprint cache entry (not valid JSON); the file will be hashed',
      'Ignoring corrupt fingerprint cache entry (not a JSON object); the file will be hashed',
      'Ignoring corrupt fingerprint cache entry (`realPath` is not a string); the file will be hashed',
      'Ignoring corrupt fingerprint cache entry (not valid JSON); the file will be hashed',
    ]);
    expect((await verifier.digest(file, 'sha256')).source).toBe('cache');
  });

  it('warns once and keeps verifying when the cache folder cannot be written', async () => {
    const dir = await tempDir();
    const file = await settledFile(join(dir, 'model.gguf'), 'weights');
    await writeFile(join(dir, 'not-a-folder'), '');
    const logger = recordingLogger();
    const verifier = verifierIn(join(dir, 'not-a-folder', 'cache'), { logger });
    expect((await verifier.digest(file, 'sha256')).source).toBe('computed');
    expect((await verifier.digest(file, 'sha256')).source).toBe('computed');
    expect(logger.warnings).toEqual([
      'Cannot write the fingerprint cache; files will be hashed again on the next start',
    ]);
  });

  it('loses no entry and tears none when processes write one folder at once', async () => {
    const dir = await tempDir();
    const cacheDirectory = join(dir, 'cache');
    const files = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        writeFile(join(dir, `m${index}`), `model ${index}`).then(() => join(dir, `m${index}`)),
      ),
    );
    // Four processes each store every file (same entries, racing) plus 40 entries of their own.
    const script = `
      import { createFingerprintCache } from ${JSON.stringify(new URL('integrity/fingerprint-cache.js', `${core.indexUrl}`).href)};
      import { readFileFingerprint } from ${JSON.stringify(new URL('integrity/file-fingerprint.js', `${core.indexUrl}`).href)};
      const cache = createFingerprintCache({ directory: process.argv[1], logger: { debug() {}, info() {}, warn: (d, m) => { console.error(m); process.exitCode = 3; }, error() {} } });
      const files = JSON.parse(process.argv[2]);
      const me = process.argv[3];
      await Promise.all(files.map(async (file, index) => {
        const fingerprint = await readFileFingerprint(file);
        await cache.store(fingerprint, 'sha256', index.toString(16).padStart(64, '0'));
        await cache.store({ ...fingerprint, realPath: file + '#' + me }, 'md5', me.padStart(32, '0'));
      }));
    `;
    await Promise.all(
      [1, 2, 3, 4].map((me) =>
        run(process.execPath, [
          '--input-type=module',
          '-e',
          script,
          cacheDirectory,
          JSON.stringify(files),
          String(me),
        ]),
      ),
    );
    const names = await readdir(cacheDirectory);
    expect(names.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(names).toHaveLength(40 + 4 * 40);
    const logger = recordingLogger();
    const cache = createFingerprintCache({ directory: cacheDirectory, logger });
    for (const [index, file] of files.entries()) {
      const fingerprint = await readFileFingerprint(file);
      expect((await cache.lookup(fingerprint, 'sha256'))?.digest).toBe(
        index.toString(16).padStart(64, '0'),
      );
      for (const me of ['1', '2', '3', '4']) {
        expect(
          (await cache.lookup({ ...fingerprint, realPath: `${file}#${me}` }, 'md5'))?.digest,
        ).toBe(me.padStart(32, '0'));
      }
    }
    expect(logger.warnings).toEqual([]);
    const sample = JSON.parse(await readFile(join(cacheDirectory, names[0]!), 'utf8'));
    expect(Object.keys(sample).sort()).toEqual(
      [
        'algorithm',
        'ctimeInNs',
        'device',
        'digest',
        'inode',
        'mtimeInNs',
        'realPath',
        'sizeInBytes',
        'verifiedAt',
        'version',
      ].sort(),
    );
  });

  it('defaults to XDG_CACHE_HOME, or ~/.cache when it is unset or relative', () => {
    expect(defaultFingerprintCacheDirectory({ XDG_CACHE_HOME: '/var/cache/app' })).toBe(
      '/var/cache/app/model-loader/fingerprints',
    );
    expect(defaultFingerprintCacheDirectory({ XDG_CACHE_HOME: 'relative' })).toMatch(
      /\.cache\/model-loader\/fingerprints$/,
    );
  });
});
