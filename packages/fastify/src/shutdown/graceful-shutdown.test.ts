import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModelDir, ggufBytes } from '../test-support/test-app.js';

const child = join(import.meta.dirname, '../test-support/shutdown-child.ts');

/** Starts the child server and resolves with its address and a way to await its exit. */
async function startChild(env: Record<string, string>) {
  const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
  const process_ = spawn(process.execPath, ['--import', 'tsx', child], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, MODEL_DIR: modelDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  process_.stdout!.on('data', (chunk) => (stdout += chunk));
  process_.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => process_.on('exit', resolve));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening (\S+)/.exec(stdout);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 10);
    exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`child exited with ${code} before listening: ${stderr}`));
    });
  });
  return { child: process_, address, exited, output: () => stdout };
}

async function waitUntilReady(address: string): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const response = await fetch(`${address}/health/ready`);
    if (response.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('never ready');
}

/** Waits until `condition` holds (the child's output arrives asynchronously). */
async function until(condition: () => boolean, timeoutInMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutInMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function kill(child: ChildProcess) {
  if (child.exitCode === null) child.kill('SIGKILL');
}

describe('graceful shutdown (child process)', () => {
  it('on SIGTERM: not ready at once, in-flight request completes, models disposed, exit 0', async () => {
    const { child, address, exited, output } = await startChild({ WORK_MS: '600' });
    try {
      await waitUntilReady(address);
      const work = fetch(`${address}/work`);
      await until(() => output().includes('work started'));
      child.kill('SIGTERM');
      // Readiness turns 503 as soon as the signal is handled, while the 600 ms of work still runs.
      let ready = await fetch(`${address}/health/ready`, { headers: { connection: 'close' } });
      for (let tries = 0; ready.status === 200 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        ready = await fetch(`${address}/health/ready`, { headers: { connection: 'close' } });
      }
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, message: 'Shutting down' });
      expect(output()).not.toContain('disposed a');
      const answer = await work;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ done: true });
      expect(await exited).toBe(0);
      expect(output()).toContain('load of never aborted');
      expect(output()).toContain('disposed a');
    } finally {
      kill(child);
    }
  });

  it('exits 1 when in-flight work outlasts the grace period', async () => {
    const { child, address, exited, output } = await startChild({
      WORK_MS: '10000',
      GRACE_MS: '500',
    });
    try {
      await waitUntilReady(address);
      const work = fetch(`${address}/work`).catch(() => 'connection closed');
      await until(() => output().includes('work started'));
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(await work).toBe('connection closed');
      expect(output()).not.toContain('disposed a');
    } finally {
      kill(child);
    }
  });
});
