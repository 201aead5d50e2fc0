import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_LOCK_FILE_NAME,
  type FileToPull,
  type FileToVerify,
  LOCK_FILE_VERSION,
  type LockedFile,
  type LockFile,
  ModelLoaderError,
  type PullFileResult,
  parseLockFile,
  planPull,
  pullFiles,
  readLockFile,
  sourceEnvironmentFrom,
  verifyFiles,
  writeLockFile,
} from '@model-loader/core';
import { errorLine } from '../cli-io.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { formatBytes } from '../format-bytes.js';
import { formatTable } from '../format-table.js';
import { isYamlFileName, parseModelsConfig, parseModelsFileText } from '../models-file-config.js';
import { createProgressReporter, progressModeFor } from '../progress-reporter.js';
import { readInputFile } from '../read-input-file.js';
import { UsageError } from '../usage-error.js';
import type { CommandContext } from './command-context.js';
import { cacheOptions, verifierFromFlags } from './verifier-options.js';

/** A row of the report. `skipped`: a model with neither a source nor a pin (nothing to check). */
type PullRow =
  | PullFileResult
  | { path: string; model?: string; status: 'skipped'; message: string };

interface PullTarget {
  readonly modelDirectory: string;
  /** Where `--pin` writes new pins. */
  readonly lockPath: string;
  readonly lock: LockFile | undefined;
  readonly files: FileToPull[];
  /** Pinned files with no source: checked, never downloaded. */
  readonly checkOnly: FileToVerify[];
  readonly failedRows: PullFileResult[];
  readonly skipped: { path: string; model: string }[];
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError(`--${flag} must be an integer >= 1, got '${value}'`);
  }
  return number;
}

async function readTarget(
  path: string,
  flags: { 'model-dir'?: string; lock?: string; pin?: boolean },
): Promise<PullTarget> {
  const text = await readFile(path, 'utf8');
  const value =
    isYamlFileName(path) || text.trimStart().startsWith('{')
      ? parseModelsFileText(text, { path })
      : undefined;
  const record = (value ?? {}) as Record<string, unknown>;
  if (typeof value === 'object' && value !== null && 'lockfileVersion' in record) {
    const lock = parseLockFile(text, path);
    const modelDirectory = resolve(flags['model-dir'] ?? dirname(path));
    const withSource = lock.files.filter((file) => file.source !== undefined);
    return {
      modelDirectory,
      lockPath: path,
      lock,
      files: withSource.map((file) => ({
        path: file.path,
        source: file.source!,
        expected: { algorithm: file.algorithm, digest: file.digest },
        sizeInBytes: file.sizeInBytes,
        ...(file.model === undefined ? {} : { model: file.model }),
      })),
      checkOnly: lock.files
        .filter((file) => file.source === undefined)
        .map((file) => ({
          path: file.path,
          expected: { algorithm: file.algorithm, digest: file.digest },
          sizeInBytes: file.sizeInBytes,
          ...(file.model === undefined ? {} : { model: file.model }),
        })),
      failedRows: [],
      skipped: [],
    };
  }
  if (typeof value !== 'object' || value === null || !('models' in record)) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `${path}: neither a models config (no \`models\`) nor a lock file (no \`lockfileVersion\`)`,
    );
  }
  const config = parseModelsConfig(value, path, flags['model-dir']);
  const defaultLock = join(config.modelDirectory, DEFAULT_LOCK_FILE_NAME);
  const lockPath = flags.lock ?? defaultLock;
  const lock = existsSync(lockPath) ? await readLockFile(lockPath) : undefined;
  if (flags.lock !== undefined && lock === undefined && !flags.pin) {
    throw new ModelLoaderError('CONFIG_INVALID', `Cannot read ${flags.lock}: no such file`);
  }
  const plan = planPull(config.models, { ...(lock ? { lock } : {}), pin: flags.pin === true });
  // Models without a source are checked like `verify` checks them, when something pins them.
  const noSource = planPull(
    plan.withoutSource.map((model) => ({ ...model, source: 'https://localhost/' })),
    lock ? { lock } : {},
  );
  return {
    modelDirectory: config.modelDirectory,
    lockPath,
    lock,
    files: [...plan.files],
    checkOnly: noSource.files
      .filter((file) => file.expected !== undefined)
      .map((file) => ({
        path: file.path,
        expected: file.expected!,
        ...(file.sizeInBytes === undefined ? {} : { sizeInBytes: file.sizeInBytes }),
        ...(file.model === undefined ? {} : { model: file.model }),
      })),
    failedRows: plan.problems.map((problem) => ({
      path: problem.path,
      model: problem.model,
      source: config.models.find((model) => model.name === problem.model)?.source ?? '',
      status: 'failed',
      code: problem.code,
      message: problem.message,
    })),
    skipped: [
      ...noSource.files.filter((file) => file.expected === undefined),
      ...noSource.problems,
    ].map((file) => ({ path: file.path, model: file.model! })),
  };
}

/** Adds the digests pinned by this run to the lock file (entries of other files are kept). */
async function writePins(target: PullTarget, results: readonly PullFileResult[]): Promise<number> {
  const pins = results.filter(
    (result) => result.pinnedNow && result.status !== 'failed' && result.digest !== undefined,
  );
  if (pins.length === 0) return 0;
  const byPath = new Map<string, LockedFile>(
    (target.lock?.files ?? []).map((file) => [file.path, file]),
  );
  for (const pin of pins) {
    byPath.set(pin.path, {
      path: pin.path,
      sizeInBytes: pin.sizeInBytes!,
      algorithm: pin.algorithm!,
      digest: pin.digest!,
      ...(pin.model === undefined ? {} : { model: pin.model }),
      source: pin.source,
    });
  }
  await writeLockFile(target.lockPath, {
    lockfileVersion: LOCK_FILE_VERSION,
    files: [...byPath.values()],
  });
  return pins.length;
}

/**
 * `model-loader pull CONFIG|LOCK`: downloads every missing or mismatching file of the models that
 * have a `source` (a lock file's entries with `source`), verified against its pin before it is
 * renamed into place. Exit 0 when every file is in place and verified, 1 when one is not, 2 on bad
 * input. `--pin` allows sources without a pin and writes the digests received to the lock file.
 */
export async function pullCommand(
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
      pin: { type: 'boolean' },
      concurrency: { type: 'string', short: 'j' },
      attempts: { type: 'string' },
      'timeout-ms': { type: 'string' },
      ...cacheOptions,
    },
  });
  if (positionals.length !== 1) throw new UsageError('pull needs exactly one CONFIG or LOCK file');
  const concurrency = positiveInteger(values.concurrency, 'concurrency');
  const attempts = positiveInteger(values.attempts, 'attempts');
  const timeoutInMs = positiveInteger(values['timeout-ms'], 'timeout-ms');
  const lockFlag =
    values.lock === undefined || isAbsolute(values.lock) ? values.lock : resolve(values.lock);
  const target = await readInputFile(positionals[0]!, (path) =>
    readTarget(path, {
      ...(values['model-dir'] === undefined ? {} : { 'model-dir': values['model-dir'] }),
      ...(lockFlag === undefined ? {} : { lock: lockFlag }),
      pin: values.pin === true,
    }),
  );
  const { io } = context;
  const quiet = values.quiet ?? false;
  const mode = progressModeFor(io.stderr, quiet || values.json === true);
  const progress = await createProgressReporter({
    stream: io.stderr,
    mode,
    minimumSizeInBytes: 1024 * 1024,
    verbs: { running: 'downloading', finished: 'downloaded' },
  });
  const say = (line: string) => {
    if (mode === 'lines') io.stderr.write(`${line}\n`);
  };
  const verifier = verifierFromFlags(io, values);
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tracked = new Map<string, (bytesDone: number) => void>();
  let results: PullFileResult[];
  let checked: PullFileResult[];
  try {
    const checks = await verifyFiles(target.checkOnly, verifier, {
      baseDirectory: target.modelDirectory,
      signal: controller.signal,
    });
    checked = checks.map((check) => ({
      path: check.path,
      ...(check.model === undefined ? {} : { model: check.model }),
      source: '',
      ...(check.status === 'ok'
        ? { status: 'present' as const, algorithm: check.algorithm, digest: check.expected }
        : {
            status: 'failed' as const,
            ...(check.code === undefined ? {} : { code: check.code }),
            message: `${check.message ?? check.status}; it has no \`source\` to pull it from`,
          }),
    }));
    results = await pullFiles(target.files, {
      modelDirectory: target.modelDirectory,
      verifier,
      environment: sourceEnvironmentFrom(io.env),
      pin: values.pin === true,
      signal: controller.signal,
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(attempts === undefined ? {} : { attempts }),
      ...(timeoutInMs === undefined
        ? {}
        : { headersTimeoutInMs: timeoutInMs, idleTimeoutInMs: timeoutInMs }),
      onProgress: (event) => {
        if (event.phase === 'waiting') say(`waiting for another process pulling ${event.path}`);
        if (event.phase === 'hashing-partial')
          say(`resuming ${event.path}: hashing the partial file`);
        if (event.phase !== 'downloading' || event.totalBytes === undefined) return;
        let report = tracked.get(event.path);
        if (report === undefined) {
          report = progress.track(event.path, event.totalBytes);
          tracked.set(event.path, report);
        }
        report(event.bytesDone);
      },
      onRetry: (path, error, delayInMs) =>
        say(`retrying ${path} in ${(delayInMs / 1000).toFixed(1)} s: ${(error as Error).message}`),
      onResult: (result) => progress.done(result.path),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    progress.stop();
    await verifier.close();
  }
  const pinned = values.pin ? await writePins(target, results) : 0;
  const rows: PullRow[] = [
    ...checked,
    ...results,
    ...target.failedRows,
    ...target.skipped.map((model) => ({
      ...model,
      status: 'skipped' as const,
      message: 'no source and no checksum',
    })),
  ];
  const failed = rows.filter((row) => row.status === 'failed');
  const count = (status: string) => rows.filter((row) => row.status === status).length;
  if (values.json) {
    const summary = {
      total: rows.length,
      present: count('present'),
      downloaded: count('downloaded'),
      failed: failed.length,
      skipped: count('skipped'),
      pinned,
    };
    io.stdout.write(
      `${JSON.stringify({ ok: failed.length === 0, summary, files: rows }, null, 2)}\n`,
    );
  } else if (!quiet) {
    io.stdout.write(
      formatTable(
        ['STATUS', 'SIZE', 'RESUMED', 'FILE'],
        rows.map((row) => [
          row.status === 'failed' ? 'FAILED' : row.status,
          'sizeInBytes' in row && row.sizeInBytes !== undefined
            ? formatBytes(row.sizeInBytes)
            : '-',
          'resumedFromBytes' in row && row.resumedFromBytes
            ? formatBytes(row.resumedFromBytes)
            : '-',
          row.path,
        ]),
      ),
    );
    io.stdout.write(
      `${rows.length} file${rows.length === 1 ? '' : 's'}: ${count('present')} present, ${count('downloaded')} downloaded, ${failed.length} failed${pinned > 0 ? `; ${pinned} pinned in ${target.lockPath}` : ''}\n`,
    );
  }
  for (const row of failed) {
    const code = 'code' in row && row.code ? `${row.code}: ` : '';
    io.stderr.write(errorLine(`${code}${row.path}: ${row.message ?? row.status}`));
  }
  return failed.length === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
}
