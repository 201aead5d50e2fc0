import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The repository root: the build context of every image. */
export const repoRoot = join(import.meta.dirname, '..', '..');

/** The Node base image the Dockerfiles build on (`NODE_IMAGE` build arg). */
export const nodeImage = process.env.MODEL_LOADER_NODE_IMAGE || 'local/node:24-bookworm-slim';

/** What a finished command printed and how it exited. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (never throws on a non-zero exit: the caller checks `code`). */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { readonly timeoutInMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        timeout: options.timeoutInMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr || error?.message || '') });
      },
    );
  });
}

/** `docker ...`, with the legacy builder (no `# syntax=` image to pull from Docker Hub). */
export function docker(args: readonly string[], timeoutInMs?: number): Promise<CommandResult> {
  return runCommand('docker', args, {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    ...(timeoutInMs === undefined ? {} : { timeoutInMs }),
  });
}

/** Like {@link docker}, but throws with the output when the command fails. */
export async function dockerOk(args: readonly string[], timeoutInMs?: number): Promise<string> {
  const result = await docker(args, timeoutInMs);
  if (result.code !== 0) {
    throw new Error(`docker ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  }
  return result.stdout.trim();
}

/** Why Docker cannot be used here, or undefined when the daemon answers. */
export async function dockerUnavailable(): Promise<string | undefined> {
  const result = await docker(['info', '--format', '{{.ServerVersion}}'], 20_000);
  if (result.code === 0) return undefined;
  return result.stderr.trim().split('\n')[0] || `docker info exited ${result.code}`;
}

/** A TCP port that was free a moment ago (containers run with --network host). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The container's state as `docker inspect` gives it. */
export async function containerState(
  id: string,
): Promise<{ Running: boolean; ExitCode: number; Status: string }> {
  return JSON.parse(await dockerOk(['inspect', '--format', '{{json .State}}', id]));
}

/**
 * Polls `url` until it answers 200, failing at once with the container's logs when the container
 * stops, or after `timeoutInMs`.
 */
export async function waitForOk(
  url: string,
  container: string,
  timeoutInMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const response = await fetch(url).catch((error: Error) => error);
    if (!(response instanceof Error) && response.ok) return;
    last = response instanceof Error ? response.message : `HTTP ${response.status}`;
    const state = await containerState(container);
    if (!state.Running) {
      const logs = await docker(['logs', container]);
      throw new Error(
        `the container stopped (exit ${state.ExitCode}) before ${url} answered 200:\n${logs.stdout}${logs.stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const logs = await docker(['logs', container]);
  throw new Error(
    `${url} did not answer 200 in ${timeoutInMs} ms (${last}):\n${logs.stdout}${logs.stderr}`,
  );
}
