import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../test-support/temp-dir.js';
import { type RangeTestServer, startRangeTestServer } from '../testing/range-test-server.js';
import { type FileToPull, type PullFilesOptions, pullFiles } from './pull-files.js';

/** Compared by digest: a deep equality of large buffers takes seconds. */
const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const tempDir = useTempDirs();
const servers: RangeTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const body = randomBytes(256 * 1024 + 123);
const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const pinned = { algorithm: 'sha256' as const, digest: digest(body) };
const fast: Partial<PullFilesOptions> = { backoff: { initialDelayInMs: 5, jitter: 'none' } };

async function serve(routes: Parameters<typeof startRangeTestServer>[0]) {
  const server = await startRangeTestServer(routes);
  servers.push(server);
  return server;
}

async function pull(
  dir: string,
  file: Partial<FileToPull> & { source: string },
  options: Partial<PullFilesOptions> = {},
) {
  const [result] = await pullFiles([{ path: 'model.bin', expected: pinned, ...file }], {
    modelDirectory: dir,
    ...fast,
    ...options,
  });
  return result!;
}

/** Resolves once `path` has at least `size` bytes (the client wrote what it received). */
async function sizeReached(path: string, size: number): Promise<void> {
  for (;;) {
    const current = await stat(path).then(
      (info) => info.size,
      () => 0,
    );
    if (current >= size) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Names in the folder other than the final file: partials, locks and side files must be gone. */
async function leftovers(dir: string) {
  return (await readdir(dir)).filter((name) => name !== 'model.bin');
}

describe('pullFiles against a real HTTP server', () => {
  it('downloads, verifies and renames; a second pull finds the file in place and sends nothing', async () => {
    const dir = await tempDir();
    const server = await serve({ '/model.bin': { body } });
    const result = await pull(dir, { source: `${server.origin}/model.bin` });
    expect(result).toMatchObject({
      status: 'downloaded',
      digest: pinned.digest,
      sizeInBytes: body.length,
      resumedFromBytes: 0,
      receivedBytes: body.length,
    });
    expect(sha256Of(await readFile(join(dir, 'model.bin')))).toBe(sha256Of(body));
    expect(await leftovers(dir)).toEqual([]);
    const again = await pull(dir, { source: `${server.origin}/model.bin` });
    expect(again.status).toBe('present');
    expect(server.requests).toHaveLength(1);
  });

  it('resumes a dropped connection with Range and If-Range, receiving every byte once', async () => {
    const dir = await tempDir();
    let drops = 0;
    const server = await serve({
      '/model.bin': {
        body,
        dropAfterBytes: 100_000,
        dropTimes: 2,
        beforeDrop: () => sizeReached(join(dir, 'model.bin.partial'), 100_000 * ++drops),
      },
    });
    const retries: string[] = [];
    const result = await pull(
      dir,
      { source: `${server.origin}/model.bin` },
      { onRetry: (_path, error) => retries.push((error as { code: string }).code) },
    );
    expect(result).toMatchObject({ status: 'downloaded', receivedBytes: body.length });
    expect(retries).toEqual(['PULL_NETWORK_ERROR', 'PULL_NETWORK_ERROR']);
    const etag = server.requests[0]!.status === 200 ? server.requests[1]!.ifRange : undefined;
    expect(server.requests.map((request) => [request.status, request.range])).toEqual([
      [200, undefined],
      [206, 'bytes=100000-'],
      [206, 'bytes=200000-'],
    ]);
    expect(etag).toMatch(/^"/);
    expect(sha256Of(await readFile(join(dir, 'model.bin')))).toBe(sha256Of(body));
  });

  it('restarts from byte 0 when the server ignores Range (200 to a range request)', async () => {
    const dir = await tempDir();
    const server = await serve({
      '/model.bin': {
        body,
        ignoreRange: true,
        dropAfterBytes: 50_000,
        dropTimes: 1,
        beforeDrop: () => sizeReached(join(dir, 'model.bin.partial'), 50_000),
      },
    });
    const result = await pull(dir, { source: `${server.origin}/model.bin` });
    expect(result).toMatchObject({ status: 'downloaded', resumedFromBytes: 0 });
    expect(server.requests.map((request) => [request.status, request.range])).toEqual([
      [200, undefined],
      [200, 'bytes=50000-'],
    ]);
    expect(sha256Of(await readFile(join(dir, 'model.bin')))).toBe(sha256Of(body));
  });

  it('restarts when If-Range finds the file changed, and resumes by Last-Modified without an ETag', async () => {
    const dir = await tempDir();
    const date = 'Tue, 01 Dec 2026 10:00:00 GMT';
    const server = await serve({
      '/model.bin': {
        body,
        etag: false,
        lastModified: date,
        dropAfterBytes: 70_000,
        dropTimes: 1,
        beforeDrop: () => sizeReached(join(dir, 'model.bin.partial'), 70_000),
      },
    });
    await pull(dir, { source: `${server.origin}/model.bin` });
    expect(server.requests[1]).toMatchObject({ status: 206, ifRange: date });
    expect(sha256Of(await readFile(join(dir, 'model.bin')))).toBe(sha256Of(body));
  });

  it('a server serving other bytes: CHECKSUM_MISMATCH, the partial deleted, nothing at the final path', async () => {
    const dir = await tempDir();
    const server = await serve({ '/model.bin': { body: randomBytes(body.length) } });
    const result = await pull(dir, { source: `${server.origin}/model.bin` });
    expect(result).toMatchObject({ status: 'failed', code: 'CHECKSUM_MISMATCH' });
    expect(result.message).toMatch(/^Checksum mismatch! Expected: [0-9a-f]{64}, Got: [0-9a-f]{64}/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a file bigger than its pinned size fails before it is all received', async () => {
    const dir = await tempDir();
    const server = await serve({ '/model.bin': { body } });
    const result = await pull(dir, { source: `${server.origin}/model.bin`, sizeInBytes: 1000 });
    expect(result).toMatchObject({ status: 'failed', code: 'CHECKSUM_MISMATCH' });
    expect(result.message).toMatch(/^Size mismatch! Expected: 1000 bytes/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('404 fails at once (no retry); 500 then 200 is retried with backoff and succeeds', async () => {
    const dir = await tempDir();
    const server = await serve({
      '/flaky.bin': { body, failStatus: 500, failTimes: 2 },
    });
    const missing = await pull(dir, { source: `${server.origin}/missing.bin` });
    expect(missing).toMatchObject({ status: 'failed', code: 'PULL_HTTP_ERROR' });
    expect(missing.message).toContain('HTTP 404');
    expect(server.requests.filter((request) => request.path === '/missing.bin')).toHaveLength(1);
    const flaky = await pull(dir, { source: `${server.origin}/flaky.bin` });
    expect(flaky.status).toBe('downloaded');
    expect(server.requests.filter((r) => r.path === '/flaky.bin').map((r) => r.status)).toEqual([
      500, 500, 200,
    ]);
  });

  it('gives up after `attempts` failures in a row, saying so', async () => {
    const dir = await tempDir();
    const server = await serve({ '/down.bin': { body, failStatus: 503 } });
    const result = await pull(dir, { source: `${server.origin}/down.bin` }, { attempts: 3 });
    expect(result).toMatchObject({ status: 'failed', code: 'PULL_HTTP_ERROR' });
    expect(result.message).toContain('gave up after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it('an idle connection times out; the bytes received are kept for the next pull', async () => {
    const dir = await tempDir();
    const server = await serve({ '/model.bin': { body, stallAfterBytes: 40_000 } });
    const source = `${server.origin}/model.bin`;
    const stalled = await pull(dir, { source }, { attempts: 1, idleTimeoutInMs: 200 });
    expect(stalled).toMatchObject({ status: 'failed', code: 'PULL_NETWORK_ERROR' });
    expect(stalled.message).toContain('no bytes for 200 ms');
    expect((await stat(join(dir, 'model.bin.partial'))).size).toBe(40_000);
    server.route('/model.bin', { body });
    const resumed = await pull(dir, { source });
    expect(resumed).toMatchObject({
      status: 'downloaded',
      resumedFromBytes: 40_000,
      receivedBytes: body.length - 40_000,
    });
    expect(server.requests.at(-1)).toMatchObject({ status: 206, range: 'bytes=40000-' });
    expect(await leftovers(dir)).toEqual([]);
  });

  it('an abort keeps the partial; nothing appears at the final path', async () => {
    const dir = await tempDir();
    const server = await serve({ '/model.bin': { body, stallAfterBytes: 10_000 } });
    const controller = new AbortController();
    const pulling = pull(
      dir,
      { source: `${server.origin}/model.bin` },
      {
        signal: controller.signal,
        onProgress: (event) => {
          if (event.bytesDone >= 10_000) controller.abort(new Error('stop'));
        },
      },
    );
    await expect(pulling).rejects.toMatchObject({ code: 'PULL_ABORTED' });
    expect((await readdir(dir)).sort()).toEqual(['model.bin.partial', 'model.bin.partial.json']);
  });

  it('follows redirects for the bytes only: the file lands at its own path, whatever the Location', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'models');
    const server = await serve({
      '/a': { redirectTo: '/b' },
      '/b': { redirectTo: '/../../../escape.bin', redirectStatus: 307 },
      '/escape.bin': { body },
      '/loop': { redirectTo: '/loop' },
      '/file': { redirectTo: 'file:///etc/passwd' },
    });
    const result = await pull(dir, { source: `${server.origin}/a` });
    expect(result.status).toBe('downloaded');
    expect(await readdir(parent)).toEqual(['models']);
    expect(await readdir(dir)).toEqual(['model.bin']);
    const loop = await pull(
      dir,
      { path: 'loop.bin', source: `${server.origin}/loop` },
      { maxRedirects: 3 },
    );
    expect(loop).toMatchObject({ status: 'failed', code: 'PULL_REDIRECT_REFUSED' });
    const file = await pull(dir, { path: 'file.bin', source: `${server.origin}/file` });
    expect(file).toMatchObject({ status: 'failed', code: 'PULL_REDIRECT_REFUSED' });
  });

  it('never writes outside the model directory: `..` paths and symlinked folders are refused', async () => {
    const parent = await tempDir();
    const dir = join(parent, 'models');
    await mkdir(join(parent, 'outside'), { recursive: true });
    await mkdir(dir);
    await symlink(join(parent, 'outside'), join(dir, 'link'));
    const server = await serve({ '/model.bin': { body } });
    const source = `${server.origin}/model.bin`;
    for (const path of ['../x.bin', 'link/x.bin', 'link/deeper/x.bin']) {
      const result = await pull(dir, { path, source });
      expect(result, path).toMatchObject({ status: 'failed', code: 'MODEL_PATH_OUTSIDE_ROOT' });
    }
    expect(await readdir(join(parent, 'outside'))).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('without a pin, refuses (PULL_NOT_PINNED); with `pin`, downloads and reports the digest', async () => {
    const dir = await tempDir();
    const server = await serve({ '/model.bin': { body } });
    const source = `${server.origin}/model.bin`;
    const refused = await pull(dir, { source, expected: undefined });
    expect(refused).toMatchObject({ status: 'failed', code: 'PULL_NOT_PINNED' });
    expect(server.requests).toHaveLength(0);
    const [result] = await pullFiles([{ path: 'model.bin', source }], {
      modelDirectory: dir,
      pin: true,
    });
    expect(result).toMatchObject({ status: 'downloaded', digest: pinned.digest, pinnedNow: true });
  });

  it('hf:// resolves against HF_ENDPOINT with the token, which never follows a redirect to another origin', async () => {
    const dir = await tempDir();
    const cdn = await serve({ '/blob': { body } });
    const hub = await serve({
      '/org/repo/resolve/v1/sub/model.bin': { redirectTo: `${cdn.origin}/blob` },
    });
    const result = await pull(
      dir,
      { source: 'hf://org/repo/sub/model.bin@v1' },
      { environment: { huggingFaceEndpoint: hub.origin, huggingFaceToken: 'hf_test' } },
    );
    expect(result.status).toBe('downloaded');
    expect(hub.requests[0]).toMatchObject({ authorization: 'Bearer hf_test' });
    expect(cdn.requests[0]?.authorization).toBeUndefined();
  });

  it('two pulls of the same file at once: one downloads, the other waits for its lock and finds it', async () => {
    const dir = await tempDir();
    const server = await serve({ '/model.bin': { body } });
    const source = `${server.origin}/model.bin`;
    const results = await Promise.all([pull(dir, { source }), pull(dir, { source })]);
    expect(results.map((result) => result.status).sort()).toEqual(['downloaded', 'present']);
    expect(server.requests).toHaveLength(1);
    expect(await leftovers(dir)).toEqual([]);
  });

  it('takes over the lock of a process that died', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) =>
      child.on('exit', () => resolve(child.pid!)),
    );
    await writeFile(
      join(dir, 'model.bin.partial.lock'),
      JSON.stringify({ pid: deadPid, hostname: hostname(), token: 'dead' }),
    );
    const server = await serve({ '/model.bin': { body } });
    const result = await pull(dir, { source: `${server.origin}/model.bin` });
    expect(result.status).toBe('downloaded');
    expect(await leftovers(dir)).toEqual([]);
  });
});
