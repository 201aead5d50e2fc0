import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const serverJs = join(import.meta.dirname, '..', 'dist', 'server.js');

describe('node dist/server.js (the start script)', () => {
  it('prints one coded line and exits 2 when DEMO=1 cannot write the demo', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'llm-server-start-'));
    try {
      await writeFile(join(cwd, 'not-a-folder'), '');
      const child = spawn(process.execPath, [serverJs], {
        cwd,
        env: { ...process.env, DEMO: '1', MODELS_FILE: '', MODEL_DIR: 'not-a-folder/models' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
      });
      const [code] = await once(child, 'exit');
      expect(code).toBe(2);
      expect(stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          /^llm-server: CONFIG_INVALID: DEMO=1, but the demo models cannot be written into .*not-a-folder\/models.*\(ENOTDIR\)\. Make MODEL_DIR a writable folder/,
        ),
      ]);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('without a models file and without DEMO: one CONFIG_INVALID line, exit 2, nothing written', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'llm-server-start-'));
    try {
      // A models file under another name is not one (and no longer means "serve the demo").
      await writeFile(join(cwd, 'my-models.yaml'), 'models: []\n');
      const child = spawn(process.execPath, [serverJs], {
        cwd,
        env: { ...process.env, DEMO: '', MODELS_FILE: '', MODEL_DIR: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
      });
      const [code] = await once(child, 'exit');
      expect(code).toBe(2);
      expect(stderr.trimEnd().split('\n')).toEqual([
        'llm-server: CONFIG_INVALID: No models file: MODELS_FILE is not set and the working directory has none of models.yaml, models.yml, models.json. Create one, set MODELS_FILE to its path, or start the demo models with DEMO=1.',
      ]);
      expect(await readdir(cwd)).toEqual(['my-models.yaml']);
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('generates the demo models on first start with DEMO=1, serves them, and exits 0 on SIGTERM', async () => {
    await access(serverJs).catch(() => {
      throw new Error(
        'dist/server.js is missing: run `pnpm --filter @model-loader/llm-server build`',
      );
    });
    const cwd = await mkdtemp(join(tmpdir(), 'llm-server-start-'));
    let running: ChildProcess | undefined;
    try {
      const child = spawn(process.execPath, [serverJs], {
        cwd,
        env: {
          ...process.env,
          DEMO: '1',
          PORT: '0',
          LLM_GPU: 'false',
          LLM_THREADS: '1',
          MODELS_FILE: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running = child;
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      let output = '';
      const address = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (data: Buffer) => {
          output += data.toString();
          const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match?.[1]) resolve(match[1]);
        });
        child.stderr.on('data', (data: Buffer) => {
          output += data.toString();
        });
        void exited.then(() => reject(new Error(`the server exited:\n${output}`)));
      });
      let health: { status: string } = { status: '' };
      // Each demo model starts in its own process (the server's default): allow for two starts.
      const deadline = Date.now() + 90_000;
      while (health.status !== 'healthy' && Date.now() < deadline) {
        health = (await (await fetch(`${address}/health`)).json()) as { status: string };
        if (health.status !== 'healthy') await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(health.status).toBe('healthy');
      const response = await fetch(`${address}/inference`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model_name: 'summariser', prompt: 'Hello', max_tokens: 4 }),
      });
      expect(response.status).toBe(200);
      expect((await readdir(join(cwd, 'models'))).sort()).toEqual([
        'bns_check.gguf',
        'model-loader.lock.json',
        'models.yaml',
        'summariser.gguf',
      ]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      // A timed-out run must not leave the server behind.
      if (running?.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
      await rm(cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
