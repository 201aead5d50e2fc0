import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { createHashPool, formatChecksumLine, type PoolHashResult } from '@model-loader/core';
import { errorLine } from '../cli-io.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { createProgressReporter, progressModeFor } from '../progress-reporter.js';
import { UsageError } from '../usage-error.js';
import { type CommandContext, parseAlgorithm } from './command-context.js';

/**
 * `model-loader hash FILE...`: prints `<digest>  <file>` lines exactly as `sha256sum` does, hashing
 * the files in parallel worker threads but printing in argument order. Always reads every byte
 * (no cache). A file that cannot be hashed gets one error line and exit code 1; the others still print.
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
  if (positionals.length === 0) throw new UsageError('hash needs at least one FILE');
  const algorithm = parseAlgorithm(values.algorithm);
  const { io } = context;
  const mode = progressModeFor(io.stderr, values.quiet ?? false);
  const progress = await createProgressReporter({ stream: io.stderr, mode });
  const pool = createHashPool({ maxWorkers: Math.min(positionals.length, availableParallelism()) });
  const bars = mode === 'bars';
  let exitCode: ExitCode = EXIT_CODES.ok;
  try {
    const jobs = positionals.map(async (file): Promise<PoolHashResult> => {
      const sizeInBytes = await stat(file).then(
        (stats) => stats.size,
        () => 0,
      );
      try {
        return await pool.hash(file, algorithm, { onProgress: progress.track(file, sizeInBytes) });
      } finally {
        progress.done(file);
      }
    });
    for (const job of jobs) job.catch(() => {});
    // With bars on the terminal, results wait until the bars are gone; otherwise they stream.
    const lines: string[] = [];
    for (const [index, job] of jobs.entries()) {
      const file = positionals[index]!;
      try {
        const { digest } = await job;
        const line = formatChecksumLine({ path: file, digest });
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
    await pool.close();
  }
}
