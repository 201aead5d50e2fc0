import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createHashPool, formatChecksumLine, type HashPool } from '@model-loader/core/hashing';
import { errorLine } from '../cli-io.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { createProgressReporter, progressModeFor } from '../progress-reporter.js';
import { UsageError } from '../usage-error.js';
import { type CommandContext, parseAlgorithm } from './command-context.js';
import { hashStream } from './hash-stream.js';

/** The name that stands for standard input, as in sha256sum. */
const STDIN = '-';

/**
 * `model-loader hash [FILE...]`: prints `<digest>  <file>` lines exactly as `sha256sum` does, hashing
 * the files in parallel (this thread takes one, worker threads the others) but printing in argument
 * order. `-`, or no FILE when standard input is not a terminal, hashes standard input. Always reads
 * every byte (no cache). A file that cannot be hashed gets one error line and exit code 1; the
 * others still print.
 */
export async function hashCommand(
  args: readonly string[],
  context: CommandContext,
): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { algorithm: { type: 'string', short: 'a' }, quiet: { type: 'boolean', short: 'q' } },
  });
  const { io } = context;
  if (positionals.length === 0) {
    if (io.stdin === undefined || io.stdin.isTTY)
      throw new UsageError('hash needs at least one FILE (or - for standard input)');
    positionals.push(STDIN);
  }
  if (positionals.filter((file) => file === STDIN).length > 1)
    throw new UsageError('hash reads standard input (-) only once');
  const algorithm = parseAlgorithm(values.algorithm);
  const mode = progressModeFor(io.stderr, values.quiet ?? false);
  const progress = await createProgressReporter({ stream: io.stderr, mode });
  const files = positionals.filter((file) => file !== STDIN);
  let pool: HashPool | undefined;
  if (files.length > 0) {
    // The CLI has nothing else for its event loop to do: it hashes one file itself, so a single file
    // never waits for a worker thread to start.
    pool = createHashPool({
      threadCount: Math.min(files.length, availableParallelism()),
      useMainThread: true,
    });
  }
  const hashOne = async (file: string, sizeInBytes: number): Promise<string> => {
    if (file === STDIN) {
      if (io.stdin === undefined) throw new UsageError('standard input is not available');
      return hashStream(io.stdin, algorithm);
    }
    try {
      const result = await pool!.hash(file, algorithm, {
        onProgress: progress.track(file, sizeInBytes),
      });
      return result.digest;
    } finally {
      progress.done(file);
    }
  };
  const bars = mode === 'bars';
  let exitCode: ExitCode = EXIT_CODES.ok;
  try {
    const sizes = await Promise.all(
      positionals.map((file) =>
        file === STDIN
          ? 0
          : stat(file).then(
              (stats) => stats.size,
              () => 0,
            ),
      ),
    );
    // Biggest files first: the last file to start is then a small one, so no core idles long
    // while another finishes a big file (results still print in argument order).
    const order = positionals.map((_, index) => index).sort((a, b) => sizes[b]! - sizes[a]!);
    const jobs: Promise<string>[] = [];
    for (const index of order) {
      const file = positionals[index]!;
      jobs[index] = hashOne(file, sizes[index]!);
    }
    for (const job of jobs) job.catch(() => {});
    // With bars on the terminal, results wait until the bars are gone; otherwise they stream.
    const lines: string[] = [];
    for (const [index, job] of jobs.entries()) {
      const file = positionals[index]!;
      try {
        const line = formatChecksumLine({ path: file, digest: await job });
        if (bars) lines.push(line);
        else io.stdout.write(line);
      } catch (error) {
        exitCode = EXIT_CODES.failed;
        io.stderr.write(errorLine(error));
      }
    }
    progress.stop();
    for (const line of lines) io.stdout.write(line);
    return exitCode;
  } finally {
    await pool?.close();
  }
}
