import { readdir, stat } from 'node:fs/promises';
import { join, posix, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createLockFile,
  DEFAULT_LOCK_FILE_NAME,
  type FileToLock,
  folderFileSource,
  formatLockFile,
  formatModelSource,
  ModelLoaderError,
  normalizeChecksums,
  type parseChecksum,
  parseModelSource,
  writeLockFile,
} from '@model-loader/core';
import { errorLine } from '../cli-io.js';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { formatBytes } from '../format-bytes.js';
import { formatTable } from '../format-table.js';
import { type ConfiguredModel, readModelsConfig } from '../models-file-config.js';
import { createProgressReporter, progressModeFor } from '../progress-reporter.js';
import { readInputFile } from '../read-input-file.js';
import { UsageError } from '../usage-error.js';
import { type CommandContext, parseAlgorithm } from './command-context.js';
import { verifierFromFlags } from './verifier-options.js';

/** Every regular file under a model folder, relative to the model directory; dot files skipped. */
async function filesOf(modelDirectory: string, model: ConfiguredModel): Promise<FileToLock[]> {
  const absolute = resolve(modelDirectory, model.path);
  const stats = await stat(absolute).catch(() => undefined);
  if (!stats?.isDirectory()) return [{ path: model.path, model: model.name }];
  const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (entry) =>
        entry.isFile() && !entry.name.startsWith('.') && entry.name !== DEFAULT_LOCK_FILE_NAME,
    )
    .map((entry) =>
      relative(modelDirectory, join(entry.parentPath, entry.name)).split(sep).join(posix.sep),
    )
    .sort()
    .map((path) => ({ path, model: model.name }));
}

/**
 * `model-loader lock CONFIG`: hashes every file of every configured model (reading every byte) and
 * writes the lock file, by default `<modelDir>/model-loader.lock.json`. A file whose configured
 * checksum does not match is reported and nothing is written (exit 1).
 */
export async function lockCommand(
  args: readonly string[],
  context: CommandContext,
): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      algorithm: { type: 'string', short: 'a' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'cache-dir': { type: 'string' },
      'no-cache': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('lock needs exactly one CONFIG file');
  const algorithm = parseAlgorithm(values.algorithm);
  const config = await readInputFile(positionals[0]!, readModelsConfig);
  const { io } = context;
  const expected = new Map<string, ReturnType<typeof parseChecksum>>();
  const sources = new Map<string, string>();
  const files: FileToLock[] = [];
  for (const model of config.models) {
    const modelFiles = await filesOf(config.modelDirectory, model);
    if (model.source !== undefined) {
      // Recorded per file so that `model-loader pull LOCK` can fetch from the lock file alone.
      const base = parseModelSource(model.source);
      for (const file of modelFiles) {
        sources.set(
          file.path,
          file.path === model.path
            ? model.source
            : formatModelSource(folderFileSource(base, posix.relative(model.path, file.path))),
        );
      }
    }
    const kind =
      modelFiles.length === 1 && modelFiles[0]!.path === model.path ? 'file' : 'directory';
    const pins = normalizeChecksums(model.checksum, kind, model.name);
    for (const file of modelFiles) {
      const parsed = pins.get(kind === 'file' ? '.' : posix.relative(model.path, file.path));
      if (parsed !== undefined) {
        expected.set(file.path, parsed);
        files.push({ ...file, algorithm: parsed.algorithm });
      } else {
        files.push({ ...file, algorithm });
      }
    }
  }
  const quiet = values.quiet ?? false;
  const progress = await createProgressReporter({
    stream: io.stderr,
    mode: progressModeFor(io.stderr, quiet || values.json === true),
  });
  // The lock is the trust anchor: read every byte (strict), but refresh the cache for `verify`.
  const verifier = verifierFromFlags(io, { ...values, strict: true });
  const tracked = new Map<string, (bytesDone: number) => void>();
  let lock: Awaited<ReturnType<typeof createLockFile>>;
  try {
    lock = await createLockFile(files, verifier, {
      modelDirectory: config.modelDirectory,
      algorithm,
      onProgress: (path, bytesDone, sizeInBytes) => {
        let report = tracked.get(path);
        if (report === undefined) {
          report = progress.track(path, sizeInBytes);
          tracked.set(path, report);
        }
        report(bytesDone);
      },
    });
  } finally {
    progress.stop();
    await verifier.close();
  }
  const mismatches = lock.files.filter((file) => {
    const pinned = expected.get(file.path);
    return pinned !== undefined && pinned.digest !== file.digest;
  });
  if (mismatches.length > 0) {
    for (const file of mismatches) {
      io.stderr.write(
        errorLine(
          new ModelLoaderError(
            'CHECKSUM_MISMATCH',
            `${file.path}: Checksum mismatch! Expected: ${expected.get(file.path)?.digest}, Got: ${file.digest}`,
          ),
        ),
      );
    }
    io.stderr.write('model-loader: no lock file written\n');
    return EXIT_CODES.failed;
  }
  const output = values.output ?? join(config.modelDirectory, DEFAULT_LOCK_FILE_NAME);
  lock = {
    ...lock,
    files: lock.files.map((file) => {
      const source = sources.get(file.path);
      return source === undefined ? file : { ...file, source };
    }),
  };
  await writeLockFile(output, lock);
  if (values.json) {
    io.stdout.write(formatLockFile(lock));
  } else if (!quiet) {
    const sorted = [...lock.files].sort((a, b) => (a.path < b.path ? -1 : 1));
    io.stdout.write(
      formatTable(
        ['FILE', 'SIZE', 'CHECKSUM'],
        sorted.map((file) => [
          file.path,
          formatBytes(file.sizeInBytes),
          `${file.algorithm}:${file.digest}`,
        ]),
      ),
    );
    io.stdout.write(
      `wrote ${output} (${lock.files.length} file${lock.files.length === 1 ? '' : 's'})\n`,
    );
  }
  return EXIT_CODES.ok;
}
