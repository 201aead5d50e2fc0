import { stat } from 'node:fs/promises';
import { type LockFile, lockReadError, readLockFile } from './lock-file.js';

/** A lock file that is read again whenever it changes. */
export interface LockFileSource {
  /**
   * The lock file's content. Each call checks the file's stat (device, inode, size, mtime, ctime)
   * and re-reads it when any changed, so a fixed lock file takes effect on the next load without a
   * restart. A failed read is not remembered: the next call tries again.
   * @throws ModelLoaderError LOCK_FILE_NOT_FOUND, MODEL_FILE_NOT_READABLE, CHECKSUM_FILE_INVALID
   */
  read(): Promise<LockFile>;
  /** Makes the next `read` re-read the file even if its stat did not change (used by reload). */
  refresh(): void;
}

interface Snapshot {
  readonly key: string;
  readonly lock: Promise<LockFile>;
}

/**
 * Creates a source for the lock file at `path`; `label` names it in error messages (the path as
 * configured, so messages do not show absolute paths the user never wrote).
 */
export function createLockFileSource(path: string, label = path): LockFileSource {
  let snapshot: Snapshot | undefined;
  return {
    async read() {
      const stats = await stat(path, { bigint: true }).catch((error: unknown) => {
        throw lockReadError(error, label);
      });
      const key = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
      if (snapshot === undefined || snapshot.key !== key) {
        const lock = readLockFile(path, label);
        const current: Snapshot = { key, lock };
        snapshot = current;
        lock.catch(() => {
          if (snapshot === current) snapshot = undefined;
        });
      }
      return snapshot.lock;
    },
    refresh() {
      snapshot = undefined;
    },
  };
}
