import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { compileCli } from './compile-cli.js';

const execFileAsync = promisify(execFile);

/** Exit code and output of a finished command. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The compiled CLI and a temporary folder for one e2e test file. */
export interface CliSandbox {
  /** The temporary folder (set once `beforeAll` ran); commands run there unless told otherwise. */
  readonly root: string;
  /** Runs `model-loader` in a child process, as a user would (optionally as `nobody`). */
  cli(
    args: readonly string[],
    options?: { cwd?: string; asNobody?: boolean; input?: string | Buffer },
  ): Promise<CliResult>;
  /** Runs a system tool (`sha256sum`, ...) to compare with. */
  system(tool: string, args: readonly string[], cwd: string): Promise<CliResult>;
  /** A new folder under the root, mode 755 so `nobody` can enter it. */
  freshDir(name: string): Promise<string>;
}

/**
 * Compiles the CLI into `node_modules/<outputName>` and makes a temporary root folder before the
 * file's tests, removes the folder after them. Each test file passes its own `outputName`.
 */
export function useCliSandbox(outputName?: string): CliSandbox {
  let bin: string;
  let root: string;

  beforeAll(async () => {
    bin = await compileCli(outputName);
    root = await mkdtemp(join(tmpdir(), 'model-loader-cli-'));
    await chmod(root, 0o755);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function cli(
    args: readonly string[],
    options: { cwd?: string; asNobody?: boolean; input?: string | Buffer } = {},
  ): Promise<CliResult> {
    const command = options.asNobody ? 'setpriv' : process.execPath;
    const prefix = options.asNobody
      ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin]
      : [bin];
    try {
      const running = execFileAsync(command, [...prefix, ...args], {
        cwd: options.cwd ?? root,
        env: { ...process.env, XDG_CACHE_HOME: join(root, 'xdg-cache'), MODEL_LOADER_DEBUG: '' },
      });
      // Standard input is a pipe: give it the input (or nothing) and close it, as a shell pipe would.
      running.child.stdin?.end(options.input ?? '');
      const { stdout, stderr } = await running;
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
  }

  async function system(tool: string, args: readonly string[], cwd: string): Promise<CliResult> {
    try {
      const { stdout, stderr } = await execFileAsync(tool, args, { cwd });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
  }

  async function freshDir(name: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    return dir;
  }

  return {
    get root() {
      return root;
    },
    cli,
    system,
    freshDir,
  };
}
