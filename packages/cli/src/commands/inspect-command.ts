import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  fileSystemError,
  type ModelFormat,
  type ModelInspection,
  ModelLoaderError,
  modelFormatLabels,
  sniffFileFormat,
} from '@model-loader/core';
import { describeNonModelFile } from '../describe-non-model.js';
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
  onnx: {
    packageName: '@model-loader/adapter-whisper',
    run: async (module, path) => {
      const { inspectOnnxFile, formatValueInfo } =
        module as typeof import('@model-loader/adapter-whisper');
      // The file's own folder bounds its external data, as it does for a model folder.
      const absolute = resolve(path);
      const summary = await inspectOnnxFile(
        absolute,
        dirname(absolute),
        basename(absolute),
        new AbortController().signal,
      );
      const list = (values: readonly string[]) => (values.length ? values.join('; ') : 'none');
      return {
        format: `ONNX IR ${summary.irVersion}`,
        details: {
          opset: list(summary.opsetImports.map((o) => `${o.domain} ${o.version}`)),
          inputs: list(summary.inputs.map(formatValueInfo)),
          outputs: list(summary.outputs.map(formatValueInfo)),
          nodes: summary.nodeCount,
          initializers: summary.initializerCount,
          'external data': list(summary.externalDataFiles),
        },
      };
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
 * adapter package for that format when it is installed (GGUF: adapter-gguf, ONNX: adapter-whisper).
 * A file of no model format (MODEL_FILE_TYPE_MISMATCH) or a preflight failure (for example
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
  if (format === 'unknown') {
    const looksLike = await describeNonModelFile(path);
    throw new ModelLoaderError(
      'MODEL_FILE_TYPE_MISMATCH',
      `Not a model file: ${path} is ${looksLike}, not GGUF, ggml, ONNX, safetensors or zip/pickle`,
      { path, actual: format },
    );
  }
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
