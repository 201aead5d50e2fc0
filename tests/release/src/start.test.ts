import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const launcher = join(import.meta.dirname, '..', '..', '..', 'scripts', 'start.mjs');

/** A port nobody listens on now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** True when a listener can take the port, so no server is left holding it. */
async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function startLauncher(ports: readonly [number, number]) {
  // The demo defaults, whatever the environment of the test says.
  const { MODELS_FILE: _file, MODEL_DIR: _dir, PORT: _port, HOST: _host, ...env } = process.env;
  const child = spawn(process.execPath, [launcher, '--no-build'], {
    env: { ...env, LLM_SERVER_PORT: String(ports[0]), ASR_OCR_SERVER_PORT: String(ports[1]) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.text += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.text += chunk;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output, exited };
}

async function live(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/health/live`)).status;
}

describe.each(['SIGTERM', 'SIGINT'] as const)('pnpm start’s launcher and %s', (signal) => {
  it('starts both servers, says where they listen, stops both and exits 0', async () => {
    const ports = [await freePort(), await freePort()] as const;
    const { child, output, exited } = startLauncher(ports);
    try {
      await vi.waitFor(() => expect(output.text).toContain('[start] both servers are up:'), {
        timeout: 90_000,
        interval: 100,
      });
      expect(await live(ports[0])).toBe(200);
      expect(await live(ports[1])).toBe(200);
      expect(output.text).toMatch(
        new RegExp(
          `llm-server +http://127\\.0\\.0\\.1:${ports[0]}\\n.*asr-ocr-server +http://127\\.0\\.0\\.1:${ports[1]}\\n`,
          's',
        ),
      );
      // Both say which models file and model directory they serve.
      expect(output.text).toMatch(
        /\[llm-server\] .*serving the tiny demo models of .*models\.yaml from /,
      );
      expect(output.text).toMatch(
        /\[asr-ocr-server\] .*serving the demo models of .*models\.demo\.yaml from /,
      );
      child.kill(signal);
      const [code, exitSignal] = await exited;
      expect({ code, exitSignal }).toEqual({ code: 0, exitSignal: null });
      expect(output.text).toContain('[start] llm-server stopped (exit code 0)');
      expect(output.text).toContain('[start] asr-ocr-server stopped (exit code 0)');
      expect(output.text).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
      expect([await isFree(ports[0]), await isFree(ports[1])]).toEqual([true, true]);
    } finally {
      stopIfRunning(child);
    }
  });
});

function stopIfRunning(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
