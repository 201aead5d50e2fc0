import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../checksum/hash-file.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { useTempDirs } from '../test-support/temp-dir.js';
import { type CompiledCore, compileCoreForTests } from './compile-core.test.helper.js';
import { createChecksumVerifier } from './create-checksum-verifier.js';
import { createHashPool, type HashPool } from './hash-pool.js';

const tempDir = useTempDirs();
let core: CompiledCore;
let pool: HashPool;
let smallChunkPool: HashPool;

beforeAll(async () => {
  core = await compileCoreForTests();
  pool = createHashPool({ workerUrl: core.workerUrl, threadCount: 2 });
  smallChunkPool = createHashPool({
    workerUrl: core.workerUrl,
    threadCount: 2,
    chunkSizeInBytes: 4096,
  });
});

afterAll(async () => {
  await pool?.close();
  await smallChunkPool?.close();
  await core?.remove();
});

const emptyDigests = {
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  md5: 'd41d8cd98f00b204e9800998ecf8427e',
  sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
} as const;

const nodeDigest = (bytes: Uint8Array, algorithm: string) =>
  createHash(algorithm).update(bytes).digest('hex');

describe('known vectors', () => {
  for (const [algorithm, digest] of Object.entries(emptyDigests) as [
    keyof typeof emptyDigests,
    string,
  ][]) {
    it(`hashes the empty file to the known ${algorithm}`, async () => {
      const file = join(await tempDir(), 'empty');
      await writeFile(file, '');
      expect(await hashFile(file, algorithm)).toBe(digest);
      expect(await pool.hash(file, algorithm)).toEqual({ digest, sizeInBytes: 0 });
    });
  }

  it('hashes "abc" to the FIPS 180-2 sha256 vector', async () => {
    const file = join(await tempDir(), 'abc');
    await writeFile(file, 'abc');
    expect((await pool.hash(file, 'sha256')).digest).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('worker pool', () => {
  it('agrees with node:crypto on a random file that crosses many chunk boundaries', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 12_345);
    const file = join(await tempDir(), 'random.bin');
    await writeFile(file, bytes);
    for (const algorithm of ['sha256', 'sha1', 'md5'] as const) {
      const expected = nodeDigest(bytes, algorithm);
      expect((await smallChunkPool.hash(file, algorithm)).digest).toBe(expected);
      expect((await pool.hash(file, algorithm)).digest).toBe(expected);
      expect(await hashFile(file, algorithm)).toBe(expected);
    }
  });

  it('catches a one-byte change anywhere in a file (property)', async () => {
    const dir = await tempDir();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40_000 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (size, rawPosition, flip) => {
          const bytes = randomBytes(size);
          const file = join(dir, `flip-${run++}`);
          await writeFile(file, bytes);
          const original = (await smallChunkPool.hash(file, 'sha256')).digest;
          const position = rawPosition % size;
          bytes[position] = bytes[position]! ^ flip;
          await writeFile(file, bytes);
          const changed = (await smallChunkPool.hash(file, 'sha256')).digest;
          expect(changed).not.toBe(original);
          expect(changed).toBe(nodeDigest(bytes, 'sha256'));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reports progress up to the file size and hashes several files at once', async () => {
    const dir = await tempDir();
    const files = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const file = join(dir, `f${index}`);
        await writeFile(file, randomBytes(2 * 1024 * 1024));
        return file;
      }),
    );
    const progress: number[] = [];
    const results = files.map((file, index) =>
      smallChunkPool.hash(
        file,
        'sha256',
        index === 0 ? { onProgress: (done) => progress.push(done) } : {},
      ),
    );
    expect(smallChunkPool.activeCount).toBe(2);
    expect(smallChunkPool.pendingCount).toBe(1);
    const digests = await Promise.all(results);
    for (const [index, file] of files.entries()) {
      expect(digests[index]?.digest).toBe(nodeDigest(await readFile(file), 'sha256'));
    }
    expect(progress.at(-1)).toBe(2 * 1024 * 1024);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(smallChunkPool.activeCount).toBe(0);
  });

  it('stops at once on abort, rejecting with the reason, and keeps working after', async () => {
    const file = join(await tempDir(), 'big.bin');
    await writeFile(file, randomBytes(32 * 1024 * 1024));
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const hashing = smallChunkPool.hash(file, 'sha256', {
      signal: controller.signal,
      onProgress: () => controller.abort(reason),
    });
    await expect(hashing).rejects.toBe(reason);
    const again = await smallChunkPool.hash(file, 'md5');
    expect(again.sizeInBytes).toBe(32 * 1024 * 1024);
    await expect(pool.hash(file, 'sha256', { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
  });

  it('names a missing file, a directory and an unreadable path with their codes', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'folder'));
    await expect(pool.hash(join(dir, 'nope.gguf'), 'sha256')).rejects.toMatchObject({
      code: 'MODEL_FILE_NOT_FOUND',
      message: `Model file not found: ${join(dir, 'nope.gguf')}`,
    });
    const directory = pool.hash(join(dir, 'folder'), 'sha256');
    await expect(directory).rejects.toBeInstanceOf(ModelLoaderError);
    await expect(directory).rejects.toMatchObject({
      code: 'MODEL_FILE_NOT_REGULAR',
      message: `Model path is not a regular file: ${join(dir, 'folder')}`,
    });
  });

  it('falls back to the main thread, with one warning, when the worker file is missing', async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_: object, message?: string) => warnings.push(message ?? ''),
    };
    const fallback = createHashPool({
      workerUrl: new URL('./no-such-worker.js', core.workerUrl),
      logger,
    });
    const file = join(await tempDir(), 'x');
    await writeFile(file, 'abc');
    expect(fallback.usesWorkerThreads).toBe(false);
    expect((await fallback.hash(file, 'sha256')).digest).toBe(
      nodeDigest(Buffer.from('abc'), 'sha256'),
    );
    expect(warnings).toEqual([
      'Hash worker file not found (running from TypeScript sources?); hashing on the main thread',
    ]);
    await fallback.close();
  });

  it('rejects waiting and new jobs once closed', async () => {
    const closing = createHashPool({ workerUrl: core.workerUrl, threadCount: 1 });
    const file = join(await tempDir(), 'x');
    await writeFile(file, randomBytes(1024));
    const first = closing.hash(file, 'sha256');
    const second = closing.hash(file, 'sha256');
    const rejections = Promise.all([
      expect(first).rejects.toThrow('The hash pool was closed'),
      expect(second).rejects.toThrow('The hash pool was closed'),
    ]);
    await closing.close();
    await rejections;
    await expect(closing.hash(file, 'sha256')).rejects.toThrow('The hash pool is closed');
  });
});

describe('pool with useMainThread', () => {
  it('hashes one file on the calling thread and gives the others to workers', async () => {
    const dir = await tempDir();
    // A worker that dies at start: a job that reaches a worker fails, one on this thread succeeds.
    const brokenWorker = join(dir, 'broken-worker.mjs');
    await writeFile(brokenWorker, "throw new Error('no workers in this test');\n");
    const files = await Promise.all(
      [0, 1].map(async (index) => {
        const file = join(dir, `f${index}`);
        await writeFile(file, randomBytes(5 * 1024 * 1024 + index));
        return file;
      }),
    );
    const alone = createHashPool({
      workerUrl: pathToFileURL(brokenWorker),
      threadCount: 1,
      useMainThread: true,
    });
    const progress: number[] = [];
    expect(
      await alone.hash(files[0]!, 'sha256', { onProgress: (done) => progress.push(done) }),
    ).toEqual({
      digest: nodeDigest(await readFile(files[0]!), 'sha256'),
      sizeInBytes: 5 * 1024 * 1024,
    });
    expect(progress.at(-1)).toBe(5 * 1024 * 1024);
    await alone.close();

    const split = createHashPool({
      workerUrl: pathToFileURL(brokenWorker),
      threadCount: 2,
      useMainThread: true,
    });
    const outcomes = await Promise.allSettled(files.map((file) => split.hash(file, 'md5')));
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({
      reason: { message: 'Hash worker stopped unexpectedly' },
    });
    await split.close();
  });

  it('stops a main-thread hash on abort with the reason', async () => {
    const file = join(await tempDir(), 'big.bin');
    await writeFile(file, randomBytes(24 * 1024 * 1024));
    const inline = createHashPool({
      workerUrl: core.workerUrl,
      threadCount: 1,
      useMainThread: true,
    });
    const controller = new AbortController();
    const reason = new Error('stop now');
    await expect(
      inline.hash(file, 'sha256', {
        signal: controller.signal,
        onProgress: () => controller.abort(reason),
      }),
    ).rejects.toBe(reason);
    expect((await inline.hash(file, 'sha1')).digest).toBe(nodeDigest(await readFile(file), 'sha1'));
    await inline.close();
  });
});

describe('hashFile (main thread)', () => {
  it('rejects with the signal reason', async () => {
    const file = join(await tempDir(), 'x');
    await writeFile(file, randomBytes(16 * 1024 * 1024));
    const controller = new AbortController();
    const reason = new Error('stop');
    await expect(
      hashFile(file, 'sha256', {
        signal: controller.signal,
        onProgress: () => controller.abort(reason),
      }),
    ).rejects.toBe(reason);
  });

  it('backs a verifier without a cache', async () => {
    const file = join(await tempDir(), 'x');
    await writeFile(file, 'abc');
    const verifier = createChecksumVerifier({ cacheDirectory: false, workerUrl: core.workerUrl });
    expect(await verifier.digest(file, 'md5')).toEqual({
      algorithm: 'md5',
      digest: nodeDigest(Buffer.from('abc'), 'md5'),
      source: 'computed',
    });
    await verifier.close();
  });
});
