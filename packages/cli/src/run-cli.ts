import { readFileSync } from 'node:fs';
import { ModelLoaderError } from '@model-loader/core/hashing';
import { type CliIo, errorLine, processIo } from './cli-io.js';
import type { CommandContext } from './commands/command-context.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** The help text of `model-loader --help`. */
export const usage = `Usage: model-loader <command> [options]

Commands:
  hash [FILE...]            print digests exactly as sha256sum does (-a sha256|sha1|md5);
                            FILE - (or no FILE) reads standard input
  lock CONFIG               hash every model file of a models config and write the lock file
                            (-o FILE, default <modelDir>/model-loader.lock.json)
  verify CONFIG|LOCK|SUMS   check every file; exit 0 all match, 1 mismatch or missing, 2 bad input
                            (--json, --strict, --no-cache, --cache-dir DIR, --model-dir DIR, --lock FILE)
  pull CONFIG|LOCK          download every missing or mismatching file of the models with a
                            \`source\`, verified before it is renamed into place; resumes partial
                            downloads; exit codes as verify (--json, --pin, --lock FILE,
                            --model-dir DIR, -j N concurrency, --attempts N, --timeout-ms MS)
  inspect FILE              format, size and the adapter's preflight summary (--json)

Common options: --quiet (-q) no progress or table, --help (-h), --version
A models CONFIG is JSON or YAML: { "modelDir": "models", "models": [{ "name", "path", "checksum"?, "source"? }] }
A source is https://..., http://... or hf://<org>/<repo>/<path>@<revision> (HF_ENDPOINT, HF_TOKEN).
`;

type Command = (args: readonly string[], context: CommandContext) => Promise<ExitCode>;

// Each command is imported when it runs: `hash` then loads only the hashing part of the core, which
// keeps a short-lived process's start-up (and CPU time) close to a bare Node's.
const commands: Record<string, () => Promise<Command>> = {
  hash: async () => (await import('./commands/hash-command.js')).hashCommand,
  lock: async () => (await import('./commands/lock-command.js')).lockCommand,
  verify: async () => (await import('./commands/verify-command.js')).verifyCommand,
  inspect: async () => (await import('./commands/inspect-command.js')).inspectCommand,
  pull: async () => (await import('./commands/pull-command.js')).pullCommand,
};

function packageVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Runs `model-loader` with `argv` (without `node` and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (name === '--version') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT_CODES.ok;
  }
  const importCommand = Object.hasOwn(commands, name) ? commands[name] : undefined;
  try {
    if (importCommand === undefined) throw new UsageError(`unknown command '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(usage);
      return EXIT_CODES.ok;
    }
    const command = await importCommand();
    return await command(rest, { io });
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr.write(
        `model-loader: ${(error as Error).message}\nRun 'model-loader --help' for usage.\n`,
      );
      return EXIT_CODES.usage;
    }
    io.stderr.write(errorLine(error));
    if (io.env.MODEL_LOADER_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    const badInput =
      ModelLoaderError.isInstance(error) &&
      (error.code === 'CONFIG_INVALID' ||
        error.code === 'CHECKSUM_FILE_INVALID' ||
        error.code === 'CHECKSUM_INVALID' ||
        error.code === 'MODEL_SOURCE_INVALID');
    return badInput ? EXIT_CODES.usage : EXIT_CODES.failed;
  }
}
