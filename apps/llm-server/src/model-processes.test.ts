import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyGgufModel, encodeGguf, writeTinyGguf } from '@model-loader/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import {
  isAlive,
  pollUntil,
  readEvents,
  type ServerProcess,
  startServerProcess,
} from './test-support/server-process.js';
import { slowModel } from './test-support/test-server.js';

// The real server (dist/server.js) with its default isolation: each model in its own process.
// A model process is killed from outside, crashes natively, or has its file overwritten while it
// serves; the server and the good model must carry on.

interface ModelInfoBody {
  state: string;
  restarts: number;
  isolation: string;
  process?: { pid: number; rssInBytes: number };
  lastError?: { code: string; message: string };
  lastExit?: { code: string; message: string };
  memoryEstimateInBytes?: number;
}

const servers: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(
  badFile: Uint8Array | 'tiny',
  extra: { checksum?: boolean; maxRestarts?: number } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'llm-processes-'));
  dirs.push(dir);
  await writeTinyGguf(join(dir, 'good.gguf'));
  if (badFile === 'tiny') await writeTinyGguf(join(dir, 'bad.gguf'), slowModel);
  else await writeFile(join(dir, 'bad.gguf'), badFile);
  const digest = createHash('sha256')
    .update(await readFile(join(dir, 'bad.gguf')))
    .digest('hex');
  const modelsFile = {
    modelDir: '.',
    processes: { maxRestarts: extra.maxRestarts ?? 1, restartWindowInMs: 600_000 },
    models: [
      { name: 'good', adapter: 'gguf', path: 'good.gguf', options: { contextSize: 256 } },
      {
        name: 'bad',
        adapter: 'gguf',
        path: 'bad.gguf',
        required: false,
        options: { contextSize: 512 },
        ...(extra.checksum ? { checksum: `sha256:${digest}` } : {}),
      },
    ],
  };
  await writeFile(join(dir, 'models.json'), JSON.stringify(modelsFile));
  const server = await startServerProcess(dir, {
    MODELS_FILE: 'models.json',
    CHECKSUM_CACHE_DIR: 'false',
  });
  servers.push(server);
  return { dir, server };
}

const json = async <T>(address: string, path: string): Promise<T> =>
  (await (await fetch(`${address}${path}`)).json()) as T;

const modelInfo = (server: ServerProcess, name: string) =>
  json<ModelInfoBody>(server.address, `/models/${name}`);

async function generate(server: ServerProcess, model: string) {
  const response = await fetch(`${server.address}/inference`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model_name: model, prompt: 'Hello', max_tokens: 4 }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Streams from `bad`; after the first event freezes its process and sends it `signal`. */
async function killWhileStreaming(server: ServerProcess, signal: NodeJS.Signals) {
  const { process: child } = await modelInfo(server, 'bad');
  expect(child?.pid).toEqual(expect.any(Number));
  const pid = child!.pid;
  const response = await fetch(`${server.address}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bad', prompt: 'Once', max_tokens: 400, stream: true }),
  });
  expect(response.status).toBe(200);
  const events = await readEvents(response, async () => {
    // Stopped first, so the generation cannot finish before the signal lands.
    process.kill(pid, 'SIGSTOP');
    process.kill(pid, signal);
    process.kill(pid, 'SIGCONT');
  });
  return { pid, events };
}

describe('llm-server with model processes (real server, real llama.cpp)', () => {
  it('SIGKILL then SIGSEGV of a streaming model: error event + [DONE], restart, then failed; the good model serves throughout', async () => {
    const { server } = await setup('tiny');
    await pollUntil(
      () => json<{ status: string }>(server.address, '/health'),
      (health) => health.status === 'healthy',
      120_000,
    );
    const good = await modelInfo(server, 'good');
    expect(good.isolation).toBe('process');
    expect(good.process?.rssInBytes).toBeGreaterThan(0);

    const first = await killWhileStreaming(server, 'SIGKILL');
    const error = JSON.parse(first.events.at(-2)!) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('MODEL_PROCESS_EXITED');
    expect(error.error.message).toContain('SIGKILL');
    expect(first.events.at(-1)).toBe('[DONE]');
    expect(isAlive(first.pid)).toBe(false);
    expect((await generate(server, 'good')).status).toBe(200);

    // One restart allowed: it comes back in a new process.
    const restarted = await pollUntil(
      () => modelInfo(server, 'bad'),
      (info) => info.state === 'loaded',
      120_000,
    );
    expect(restarted.restarts).toBe(1);
    expect(restarted.process?.pid).not.toBe(first.pid);
    expect(restarted.lastExit?.message).toContain('SIGKILL');

    const second = await killWhileStreaming(server, 'SIGSEGV');
    expect(second.events.at(-1)).toBe('[DONE]');
    expect(second.events.at(-2)).toContain('MODEL_PROCESS_EXITED');
    const failed = await pollUntil(
      () => modelInfo(server, 'bad'),
      (info) => info.state === 'failed',
    );
    expect(failed.restarts).toBe(1);
    expect(failed.lastError?.code).toBe('MODEL_PROCESS_EXITED');
    expect(failed.lastError?.message).toContain('SIGSEGV');
    expect(failed.lastError?.message).not.toMatch(/\/tmp\//);

    const health = await fetch(`${server.address}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; errors: Record<string, string> };
    expect(body.status).toBe('degraded');
    expect(body.errors.bad).toMatch(/^MODEL_PROCESS_EXITED: /);
    const refused = await generate(server, 'bad');
    expect(refused.status).toBe(503);
    expect((await generate(server, 'good')).status).toBe(200);
    const metrics = await (await fetch(`${server.address}/metrics`)).text();
    expect(metrics).toMatch(/model_loader_model_restarts_total\{model="bad"\} 1/);
  }, 300_000);

  it('a model file overwritten in place (cp shorter.gguf): SIGBUS in its process, then CHECKSUM_MISMATCH on restart', async () => {
    const { dir, server } = await setup('tiny', { checksum: true });
    await pollUntil(
      () => json<{ status: string }>(server.address, '/health'),
      (health) => health.status === 'healthy',
      120_000,
    );
    const { process: child } = await modelInfo(server, 'bad');
    await writeTinyGguf(join(dir, 'shorter.gguf'));
    // cp writes into the same inode: the child's mmap of the weights now points past the end.
    await copyFile(join(dir, 'shorter.gguf'), join(dir, 'bad.gguf'));
    const refused = await generate(server, 'bad');
    expect(refused.status).toBe(503);
    expect(JSON.stringify(refused.body)).toContain('MODEL_PROCESS_EXITED');
    const failed = await pollUntil(
      () => modelInfo(server, 'bad'),
      (info) => info.state === 'failed' && info.lastError?.code === 'CHECKSUM_MISMATCH',
      120_000,
    );
    expect(failed.lastExit?.message).toMatch(/SIGBUS|SIGSEGV/);
    expect(isAlive(child!.pid)).toBe(false);
    expect((await generate(server, 'good')).status).toBe(200);
    expect((await json<{ status: string }>(server.address, '/health')).status).toBe('degraded');
  }, 300_000);

  it('a file llama.cpp aborts on (llama.block_count 513) is refused before any model process starts', async () => {
    const model = createTinyGgufModel();
    const crashing = encodeGguf({
      metadata: model.metadata.map((entry) =>
        entry.key === 'llama.block_count' ? { ...entry, value: 513 } : entry,
      ),
      tensors: model.tensors,
    }).bytes;
    const { server } = await setup(crashing);
    const failed = await pollUntil(
      () => modelInfo(server, 'bad'),
      (info) => info.state === 'failed',
      180_000,
    );
    // The preflight refuses it (deterministic: never retried, never restarted); in a process of its
    // own it would abort the child (SIGABRT), as the core's isolation tests show for native crashes.
    expect(failed.lastError?.code).toBe('MODEL_FILE_CORRUPT');
    expect(failed.lastError?.message).toMatch(/block_count/);
    expect(failed.restarts).toBe(0);
    expect(failed.process).toBeUndefined();
    // The refusal comes before the good model's own process has finished loading.
    await pollUntil(
      () => modelInfo(server, 'good'),
      (info) => info.state === 'loaded',
      180_000,
    );
    expect((await generate(server, 'good')).status).toBe(200);
    expect((await json<{ status: string }>(server.address, '/health')).status).toBe('degraded');
  }, 300_000);

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no model process alive 5 s after ${signal} to the server`, async () => {
      const { server } = await setup('tiny');
      const pids = await pollUntil(
        async () => [
          (await modelInfo(server, 'good')).process?.pid,
          (await modelInfo(server, 'bad')).process?.pid,
        ],
        (found) => found.every((pid) => pid !== undefined),
        120_000,
      );
      server.child.kill(signal);
      const code = await server.exited;
      if (signal === 'SIGTERM') expect(code).toBe(0);
      const deadline = Date.now() + 5000;
      while (pids.some((pid) => isAlive(pid!)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(pids.filter((pid) => isAlive(pid!))).toEqual([]);
    }, 300_000);
  }
});
