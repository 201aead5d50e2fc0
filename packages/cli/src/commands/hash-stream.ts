import { createHash } from 'node:crypto';
import type { ChecksumAlgorithm } from '@model-loader/core/hashing';
import type { InputStream } from '../cli-io.js';

/** Lower-case hex digest of everything a stream yields (standard input for `hash -`). */
export async function hashStream(
  stream: InputStream,
  algorithm: ChecksumAlgorithm,
): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
