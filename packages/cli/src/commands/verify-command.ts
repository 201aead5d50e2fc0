import { parseArgs } from 'node:util';
import { type FileCheckResult, verifyFiles } from '@model-loader/core';
import { errorLine } from '../cli-io.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { formatTable } from '../format-table.js';
import { createProgressReporter, progressModeFor } from '../progress-reporter.js';
import { readInputFile } from '../read-input-file.js';
import { readVerifyTarget } from '../read-target.js';
import { UsageError } from '../usage-error.js';
import { type CommandContext, parseAlgorithm } from './command-context.js';
import { cacheOptions, verifierFromFlags } from './verifier-options.js';

/** A row of the report: a checked file, or a model with no checksum anywhere. */
type ReportRow =
  | FileCheckResult
  | { path: string; model: string; status: 'unpinned'; message: string };

/**
 * `model-loader verify CONFIG|LOCK|SUMS`: checks every file and exits 0 when all match, 1 on any
 * mismatch, missing or unreadable file (or a config model with no checksum), 2 on bad input.
 * Unchanged files are answered from the fingerprint cache unless `--strict`.
 */
export async function verifyCommand(
  args: readonly string[],
  context: CommandContext,
): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'model-dir': { type: 'string' },
      lock: { type: 'string' },
      algorithm: { type: 'string', short: 'a' },
      ...cacheOptions,
    },
  });
  if (positionals.length !== 1)
    throw new UsageError('verify needs exactly one CONFIG, LOCK or SUMS file');
  const targetPath = positionals[0]!;
  const target = await readInputFile(targetPath, (path) =>
    readVerifyTarget(path, {
      ...(values['model-dir'] === undefined ? {} : { modelDirectory: values['model-dir'] }),
      ...(values.lock === undefined ? {} : { lockPath: values.lock }),
      ...(values.algorithm === undefined ? {} : { algorithm: parseAlgorithm(values.algorithm) }),
    }),
  );
  const { io } = context;
  const quiet = values.quiet ?? false;
  const mode = progressModeFor(io.stderr, quiet || values.json === true);
  const progress = await createProgressReporter({ stream: io.stderr, mode });
  const verifier = verifierFromFlags(io, values);
  const tracked = new Map<string, (bytesDone: number) => void>();
  let results: FileCheckResult[];
  try {
    results = await verifyFiles(target.files, verifier, {
      baseDirectory: target.baseDirectory,
      onProgress: (path, bytesDone, sizeInBytes) => {
        let report = tracked.get(path);
        if (report === undefined) {
          report = progress.track(path, sizeInBytes);
          tracked.set(path, report);
        }
        report(bytesDone);
      },
      onResult: (result) => progress.done(result.path),
    });
  } finally {
    progress.stop();
    await verifier.close();
  }
  const rows: ReportRow[] = [
    ...results,
    ...target.unpinned.map((model) => ({
      ...model,
      status: 'unpinned' as const,
      message: `no checksum for model '${model.model}' in the config or a lock file (run \`model-loader lock\`)`,
    })),
  ];
  const failed = rows.filter((row) => row.status !== 'ok');
  if (values.json) {
    const count = (status: string) => rows.filter((row) => row.status === status).length;
    const summary = {
      total: rows.length,
      ok: count('ok'),
      mismatch: count('mismatch'),
      missing: count('missing'),
      error: count('error'),
      unpinned: count('unpinned'),
    };
    io.stdout.write(
      `${JSON.stringify({ ok: failed.length === 0, kind: target.kind, summary, files: rows }, null, 2)}\n`,
    );
  } else if (!quiet) {
    io.stdout.write(
      formatTable(
        ['STATUS', 'ALGORITHM', 'SOURCE', 'FILE'],
        rows.map((row) => [
          row.status === 'ok' ? 'ok' : row.status.toUpperCase(),
          'algorithm' in row ? row.algorithm : '-',
          'source' in row && row.source ? row.source : '-',
          row.path,
        ]),
      ),
    );
    const okCount = rows.length - failed.length;
    io.stdout.write(
      `${rows.length} file${rows.length === 1 ? '' : 's'}: ${okCount} ok, ${failed.length} failed\n`,
    );
  }
  for (const row of failed) {
    const code = 'code' in row && row.code ? `${row.code}: ` : '';
    const message = row.message ?? row.status;
    io.stderr.write(
      errorLine(`${code}${message.includes(row.path) ? '' : `${row.path}: `}${message}`),
    );
  }
  return failed.length === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}
