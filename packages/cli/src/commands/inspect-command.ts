import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  fileSystemError,
  type ModelFormat,
  type ModelInspection,
  ModelLoaderError,
  modelFormatLabels,
  sniffFileFormat,
} from '@model-loader/core';
import { EXIT_CODES, type ExitCode } from '../exit-codes.js';
import { formatBytes } from '../format-bytes.js';
import { UsageError } from '../usage-error.js';
import type { CommandContext } from './command-context.js';

/** Adapter packages whose preflight `inspect` can summarise a format, imported only when installed. */
const preflights: Partial<
  Record<
    ModelFormat,
    { packageName: string; run: (module: unknown, path: string) => Promise<ModelInspection> }
  >
> = {
  gguf: {
    packageName: '@model-loader/adapter-gguf',
    run: async (module, path) => {
      const { createGgufAdapter } = module as {
        createGgufAdapter(): {
          inspect(path: string, signal: AbortSignal): Promise<ModelInspection>;
        };
      };
      return createGgufAdapter().inspect(path, new AbortController().signal);
    },
  },
};

async function importOptional(packageName: string): Promise<unknown | undefined> {
  try {
    return await import(packageName);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * `model-loader inspect FILE`: format (by magic bytes), size, and the preflight summary of the
 * adapter package for that format when it is installed. A preflight failure (for example
 * MODEL_FILE_CORRUPT) is one error line and exit code 1.
 */
export async function inspectCommand(
  args: readonly string[],
  context: CommandContext,
): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('inspect needs exactly one FILE');
  const path = positionals[0]!;
  const stats = await stat(path).catch((error: unknown) => {
    throw fileSystemError(error, path, path);
  });
  if (!stats.isFile()) {
    throw new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model path is not a regular file: ${path}`,
      { path },
    );
  }
  const format = await sniffFileFormat(path).catch((error: unknown) => {
    throw fileSystemError(error, path, path);
  });
  const preflight = preflights[format];
  const module = preflight ? await importOptional(preflight.packageName) : undefined;
  const inspection = preflight && module ? await preflight.run(module, path) : undefined;
  const { io } = context;
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({ file: path, sizeInBytes: stats.size, format, ...(inspection ? { preflight: inspection } : {}) }, null, 2)}\n`,
    );
    return EXIT_CODES.ok;
  }
  const lines: [string, string][] = [
    ['file', path],
    ['size', `${formatBytes(stats.size)} (${stats.size} bytes)`],
    ['format', modelFormatLabels[format]],
  ];
  if (inspection) {
    lines.push(['preflight', `ok (${inspection.format})`]);
    for (const [key, value] of Object.entries(inspection.details ?? {}))
      lines.push([key, String(value)]);
  } else if (preflight) {
    lines.push([
      'preflight',
      `install ${preflight.packageName} for a ${modelFormatLabels[format]} preflight`,
    ]);
  }
  const width = Math.max(...lines.map(([key]) => key.length)) + 1;
  for (const [key, value] of lines) io.stdout.write(`${`${key}:`.padEnd(width)} ${value}\n`);
  return EXIT_CODES.ok;
}
