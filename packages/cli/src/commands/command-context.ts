import {
  type ChecksumAlgorithm,
  isChecksumAlgorithm,
  type Logger,
} from '@model-loader/core/hashing';
import type { CliIo } from '../cli-io.js';
import { UsageError } from '../usage-error.js';

/** What every command gets. */
export interface CommandContext {
  readonly io: CliIo;
}

/** `--algorithm` value, checked. @default 'sha256' */
export function parseAlgorithm(
  value: string | undefined,
  fallback: ChecksumAlgorithm = 'sha256',
): ChecksumAlgorithm {
  if (value === undefined) return fallback;
  const algorithm = value.toLowerCase();
  if (!isChecksumAlgorithm(algorithm))
    throw new UsageError(`unknown --algorithm '${value}' (use sha256, sha1 or md5)`);
  return algorithm;
}

/** A logger that prints warnings and errors as `model-loader: warning: ...` lines on stderr. */
export function stderrLogger(io: CliIo): Logger {
  return {
    debug() {},
    info() {},
    warn: (_data, message) => io.stderr.write(`model-loader: warning: ${message ?? ''}\n`),
    error: (_data, message) => io.stderr.write(`model-loader: error: ${message ?? ''}\n`),
  };
}
