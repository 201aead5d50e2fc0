import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type RangeTestServer,
  startRangeTestServer,
} from '@model-loader/core/testing/range-test-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileCli } from './test-support/compile-cli.js';

/** Compared by digest: a deep equality of large buffers takes seconds. */
const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const execFileAsync = promisify(execFile);
let bin: string;
let root: string;
const servers: RangeTestServer[] = [];

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    MODEL_LOADER_DEBUG: '',
    ...extra,
  };
}

async function cli(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], {
      cwd: root,
      env: childEnv(env),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** A `model-loader` child whose output is collected as it comes. */
function startCli(args: readonly string[]) {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: childEnv() });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sizeOf = (path: string) =>
  stat(path).then(
    (info) => info.size,
    () => -1,
  );

beforeAll(async () => {
  bin = await compileCli('.cli-e2e-pull');
  root = await mkdtemp(join(tmpdir(), 'model-loader-pull-'));
  await chmod(root, 0o755);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const weights = randomBytes(3 * 1024 * 1024 + 17);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function setUp(name: string, routes: Parameters<typeof startRangeTestServer>[0]) {
  const dir = join(root, name);
  await mkdir(join(dir, 'models'), { recursive: true });
  const server = await startRangeTestServer(routes);
  servers.push(server);
  return { dir, models: join(dir, 'models'), server };
}

async function writeConfig(dir: string, models: unknown[], name = 'models.json') {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({ modelDir: 'models', models }));
  return path;
}

// Every case starts real `model-loader` processes; on a loaded machine each start takes seconds.
describe('model-loader pull', { timeout: 120_000 }, () => {
  it('downloads a pinned file, verifies it, and a second run finds it in place; verify agrees', async () => {
    const { dir, server } = await setUp('basic', { '/w.gguf': { body: weights } });
    const config = await writeConfig(dir, [
      {
        name: 'm',
        path: 'm.gguf',
        checksum: `sha256:${sha256(weights)}`,
        source: `${server.origin}/w.gguf`,
      },
    ]);
    const first = await cli(['pull', config]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('1 file: 0 present, 1 downloaded, 0 failed');
    expect(first.stderr).toMatch(/^downloading m.gguf \(3\.00 MiB\)$/m);
    expect(sha256Of(await readFile(join(dir, 'models', 'm.gguf')))).toBe(sha256Of(weights));
    const second = await cli(['pull', config, '--json']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      ok: true,
      summary: { total: 1, present: 1, downloaded: 0, failed: 0 },
    });
    expect(server.requests).toHaveLength(1);
    expect((await cli(['verify', config])).code).toBe(0);
  });

  it('resumes after the CLI is SIGKILLed mid-download: Range + If-Range, and the file verifies', async () => {
    const { dir, models, server } = await setUp('kill', {
      '/w.gguf': { body: weights, stallAfterBytes: 1_000_000 },
    });
    const config = await writeConfig(dir, [
      {
        name: 'm',
        path: 'm.gguf',
        checksum: `sha256:${sha256(weights)}`,
        source: `${server.origin}/w.gguf`,
      },
    ]);
    const run = startCli(['pull', config]);
    await until(
      async () => (await sizeOf(join(models, 'm.gguf.partial'))) === 1_000_000,
      'the partial',
    );
    run.child.kill('SIGKILL');
    expect(await run.exited).toBeNull();
    expect((await readdir(models)).sort()).toEqual([
      'm.gguf.partial',
      'm.gguf.partial.json',
      'm.gguf.partial.lock',
    ]);
    server.route('/w.gguf', { body: weights });
    const again = await cli(['pull', config, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const [file] = JSON.parse(again.stdout).files;
    expect(file).toMatchObject({
      status: 'downloaded',
      resumedFromBytes: 1_000_000,
      receivedBytes: weights.length - 1_000_000,
    });
    expect(server.requests.at(-1)).toMatchObject({
      status: 206,
      range: 'bytes=1000000-',
      ifRange: server.requests[0] && expect.stringMatching(/^".+"$/),
    });
    expect(await readdir(models)).toEqual(['m.gguf']);
    expect((await cli(['verify', config])).code).toBe(0);
  });

  it('a wrong digest exits 1 with CHECKSUM_MISMATCH and leaves nothing behind', async () => {
    const { dir, models, server } = await setUp('wrong', { '/w.gguf': { body: weights } });
    const config = await writeConfig(dir, [
      {
        name: 'm',
        path: 'm.gguf',
        checksum: `sha256:${'0'.repeat(64)}`,
        source: `${server.origin}/w.gguf`,
      },
    ]);
    const result = await cli(['pull', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `model-loader: CHECKSUM_MISMATCH: m.gguf: Checksum mismatch! Expected: ${'0'.repeat(64)}, Got: ${sha256(weights)}`,
    );
    expect(await readdir(models)).toEqual([]);
  });

  it('two processes pulling the same file: one downloads, the other waits on the lock, both exit 0', async () => {
    const { dir, models, server } = await setUp('concurrent', {
      '/w.gguf': { body: weights, stallAfterBytes: 500_000 },
    });
    const config = await writeConfig(dir, [
      {
        name: 'm',
        path: 'm.gguf',
        checksum: `sha256:${sha256(weights)}`,
        source: `${server.origin}/w.gguf`,
      },
    ]);
    const runs = [startCli(['pull', config]), startCli(['pull', config])];
    await until(
      () =>
        runs.some((run) =>
          run.output.stderr.includes('waiting for another process pulling m.gguf'),
        ),
      'one process to wait for the other',
    );
    expect(await sizeOf(join(models, 'm.gguf'))).toBe(-1);
    server.route('/w.gguf', { body: weights });
    server.releaseStalled();
    const codes = await Promise.all(runs.map((run) => run.exited));
    expect(codes, runs.map((run) => run.output.stderr).join('\n')).toEqual([0, 0]);
    const summaries = runs.map((run) =>
      /1 file: (\d) present, (\d) downloaded/.exec(run.output.stdout)?.slice(1),
    );
    expect(summaries.map((summary) => summary?.join()).sort()).toEqual(['0,1', '1,0']);
    // One download from byte 0 only; what follows the cut is a resume (206) by the same process.
    expect(server.requests.filter((request) => request.status === 200)).toHaveLength(1);
    expect(server.requests.slice(1).every((request) => request.status === 206)).toBe(true);
    expect(await readdir(models)).toEqual(['m.gguf']);
    expect(sha256Of(await readFile(join(models, 'm.gguf')))).toBe(sha256Of(weights));
  });

  it('refuses an unpinned source (exit 1, PULL_NOT_PINNED); --pin pins it in the lock file, which `pull LOCK` then uses', async () => {
    const { dir, models, server } = await setUp('pin', { '/w.gguf': { body: weights } });
    const source = `${server.origin}/w.gguf`;
    const config = await writeConfig(dir, [{ name: 'm', path: 'm.gguf', source }]);
    const refused = await cli(['pull', config]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'model-loader: PULL_NOT_PINNED: m.gguf: m.gguf has a source but no pinned checksum',
    );
    expect(server.requests).toHaveLength(0);
    const pinned = await cli(['pull', config, '--pin']);
    expect(pinned.code, pinned.stderr).toBe(0);
    const lockPath = join(models, 'model-loader.lock.json');
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toEqual({
      lockfileVersion: 1,
      files: [
        {
          path: 'm.gguf',
          sizeInBytes: weights.length,
          algorithm: 'sha256',
          digest: sha256(weights),
          model: 'm',
          source,
        },
      ],
    });
    // `lock` over the same config records the source too.
    const relocked = await cli(['lock', config, '-o', join(dir, 'relocked.json')]);
    expect(relocked.code, relocked.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'relocked.json'), 'utf8')).files[0].source).toBe(
      source,
    );
    await rm(join(models, 'm.gguf'));
    const fromLock = await cli(['pull', lockPath, '--json']);
    expect(fromLock.code, fromLock.stderr).toBe(0);
    expect(JSON.parse(fromLock.stdout).summary).toMatchObject({ downloaded: 1, failed: 0 });
    expect((await cli(['verify', config])).code).toBe(0);
  });

  it('reads a YAML models file; hf:// folder sources pull each pinned file from HF_ENDPOINT with HF_TOKEN', async () => {
    const encoder = Buffer.from('encoder weights');
    const tokenizer = Buffer.from('{"tokenizer": true}');
    const { dir, models, server } = await setUp('hf', {
      '/org/whisper-tiny/resolve/abc123/onnx/encoder.onnx': { body: encoder },
      '/org/whisper-tiny/resolve/abc123/tokenizer.json': { body: tokenizer },
    });
    const config = join(dir, 'models.yaml');
    await writeFile(
      config,
      [
        'modelDir: models',
        'models:',
        '  - name: asr',
        '    adapter: whisper',
        '    path: whisper',
        '    source: hf://org/whisper-tiny@abc123',
        '    checksum:',
        `      onnx/encoder.onnx: sha256:${sha256(encoder)}`,
        `      tokenizer.json: sha256:${sha256(tokenizer)}`,
        '',
      ].join('\n'),
    );
    const result = await cli(['pull', config, '--json'], {
      HF_ENDPOINT: server.origin,
      HF_TOKEN: 'hf_e2e',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(sha256Of(await readFile(join(models, 'whisper', 'onnx', 'encoder.onnx')))).toBe(
      sha256Of(encoder),
    );
    expect(sha256Of(await readFile(join(models, 'whisper', 'tokenizer.json')))).toBe(
      sha256Of(tokenizer),
    );
    expect(server.requests.map((request) => request.authorization)).toEqual([
      'Bearer hf_e2e',
      'Bearer hf_e2e',
    ]);
    expect((await cli(['verify', config])).code).toBe(0);
  });

  it('bad input exits 2: a malformed source, a file that is neither config nor lock', async () => {
    const { dir } = await setUp('bad', {});
    const config = await writeConfig(dir, [{ name: 'm', path: 'm.gguf', source: 'ftp://x/y' }]);
    const result = await cli(['pull', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MODEL_SOURCE_INVALID');
    const other = join(dir, 'other.json');
    await writeFile(other, '{"x": 1}');
    expect((await cli(['pull', other])).code).toBe(2);
  });

  it('refuses a redirect from https down to http', async () => {
    const dir = join(root, 'downgrade');
    await mkdir(dir, { recursive: true });
    await execFileAsync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    const plain = await startRangeTestServer({ '/w.gguf': { body: weights } });
    servers.push(plain);
    const https = createServer(
      { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
      (_request, response) => response.writeHead(302, { location: `${plain.origin}/w.gguf` }).end(),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    try {
      const port = (https.address() as AddressInfo).port;
      const config = await writeConfig(dir, [
        {
          name: 'm',
          path: 'm.gguf',
          checksum: `sha256:${sha256(weights)}`,
          source: `https://127.0.0.1:${port}/w.gguf`,
        },
      ]);
      const result = await cli(['pull', config], { NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PULL_REDIRECT_REFUSED');
      expect(result.stderr).toContain('a redirect from https down to http');
      expect(plain.requests).toHaveLength(0);
    } finally {
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
    }
  });
});
