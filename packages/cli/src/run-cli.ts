import { readFileSync } from 'node:fs';
import { ModelLoaderError } from '@model-loader/core';
import { type CliIo, errorLine, processIo } from './cli-io.js';
import { hashCommand } from './commands/hash-command.js';
import { inspectCommand } from './commands/inspect-command.js';
import { lockCommand } from './commands/lock-command.js';
import { pullCommand } from './commands/pull-command.js';
import { verifyCommand } from './commands/verify-command.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { UsageError } from './usage-error.js';

/** The help text of `model-loader --help`. */
export const usage = `Usage: model-loader <command> [options]

Commands:
  hash FILE...              print digests exactly as sha256sum does (-a sha256|sha1|md5)
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

const commands = {
  hash: hashCommand,
  lock: lockCommand,
  verify: verifyCommand,
  pull: pullCommand,
  inspect: inspectCommand,
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
  const command = Object.hasOwn(commands, name)
    ? commands[name as keyof typeof commands]
    : undefined;
  try {
    if (command === undefined) throw new UsageError(`unknown command '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(usage);
      return EXIT_CODES.ok;
    }
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
