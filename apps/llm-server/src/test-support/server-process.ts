import { type ChildProcess, spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

const serverJs = join(import.meta.dirname, '..', '..', 'dist', 'server.js');

/** A real `node dist/server.js` on a free port. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  readonly exited: Promise<number | null>;
  /** Everything it printed. */
  output(): string;
}

/** Starts the built server in `cwd` with `env`, resolves once it listens. */
export async function startServerProcess(
  cwd: string,
  env: Record<string, string>,
): Promise<ServerProcess> {
  await access(serverJs).catch(() => {
    throw new Error(
      'dist/server.js is missing: run `pnpm --filter @model-loader/llm-server build`',
    );
  });
  const child = spawn(process.execPath, [serverJs], {
    cwd,
    env: { ...process.env, PORT: '0', LLM_GPU: 'false', LLM_THREADS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let output = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    void exited.then(() => reject(new Error(`the server exited:\n${output}`)));
  });
  return { child, address, exited, output: () => output };
}

/** Polls `read` until `accept` holds (every 50 ms, up to `timeoutInMs`). */
export async function pollUntil<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutInMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`condition not reached in time; last value: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True while a process with this id exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return true;
}

/** Reads a server-sent event stream to its end: the `data:` payloads in order. */
export async function readEvents(
  response: Response,
  onFirst?: () => Promise<void>,
): Promise<string[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: string[] = [];
  let buffer = '';
  let first = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event.startsWith('data: ')) events.push(event.slice(6));
      end = buffer.indexOf('\n\n');
      if (first && onFirst) {
        first = false;
        await onFirst();
      }
    }
  }
  return events;
}
