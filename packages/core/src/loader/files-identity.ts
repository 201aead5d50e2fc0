import { stat } from 'node:fs/promises';
import type { ValidatedModel } from '../validation/validate-model-file.js';

/**
 * The identity of a model's files (device, inode, size, mtime, ctime of each), the same facts the
 * fingerprint cache trusts: equal identities mean the files were not replaced or written since.
 */
export async function filesIdentity(validated: ValidatedModel): Promise<string> {
  const parts = await Promise.all(
    validated.files.map(async (file) => {
      const stats = await stat(file.path, { bigint: true });
      return `${file.path}\0${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
    }),
  );
  return parts.join('\n');
}
