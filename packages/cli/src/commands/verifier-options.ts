import { createChecksumVerifier, type IntegrityChecksumVerifier } from '@model-loader/core';
import type { CliIo } from '../cli-io.js';
import { stderrLogger } from './command-context.js';

/** The cache flags `verify` and `lock` share. */
export const cacheOptions = {
  strict: { type: 'boolean' },
  'no-cache': { type: 'boolean' },
  'cache-dir': { type: 'string' },
} as const;

/** A worker-thread verifier configured from `--strict`, `--no-cache` and `--cache-dir`. */
export function verifierFromFlags(
  io: CliIo,
  flags: { strict?: boolean; 'no-cache'?: boolean; 'cache-dir'?: string },
): IntegrityChecksumVerifier {
  return createChecksumVerifier({
    strict: flags.strict ?? false,
    logger: stderrLogger(io),
    ...(flags['no-cache'] ? { cacheDirectory: false } : {}),
    ...(flags['cache-dir'] === undefined ? {} : { cacheDirectory: flags['cache-dir'] }),
  });
}
