import { realpath, stat } from 'node:fs/promises';

/**
 * What identifies one version of a file without reading it: where it lives (device, inode), how
 * long it is, and when its content (mtime) or inode (ctime) last changed, in nanoseconds where the
 * platform gives them. Numbers are decimal strings so they survive JSON without rounding.
 */
export interface FileFingerprint {
  /** Absolute path with every symlink resolved: the cache key. */
  readonly realPath: string;
  readonly device: string;
  readonly inode: string;
  readonly sizeInBytes: string;
  readonly mtimeInNs: string;
  readonly ctimeInNs: string;
}

/** Reads the fingerprint of `path` (symlinks followed). Throws node:fs errors as they are. */
export async function readFileFingerprint(path: string): Promise<FileFingerprint> {
  const realPath = await realpath(path);
  const stats = await stat(realPath, { bigint: true });
  return {
    realPath,
    device: stats.dev.toString(),
    inode: stats.ino.toString(),
    sizeInBytes: stats.size.toString(),
    mtimeInNs: stats.mtimeNs.toString(),
    ctimeInNs: stats.ctimeNs.toString(),
  };
}

/** True when both fingerprints describe the same version of the same file. */
export function sameFingerprint(a: FileFingerprint, b: FileFingerprint): boolean {
  return (
    a.realPath === b.realPath &&
    a.device === b.device &&
    a.inode === b.inode &&
    a.sizeInBytes === b.sizeInBytes &&
    a.mtimeInNs === b.mtimeInNs &&
    a.ctimeInNs === b.ctimeInNs
  );
}

/**
 * True when the file changed so shortly before `hashStartedAtInMs` that a later change could land
 * in the same timestamp tick and leave the fingerprint as it is ("racily clean", as git calls it).
 * Such a digest is correct but is not cached. Timestamps in whole seconds suggest a file system with
 * a coarse clock (FAT, some network file systems), which widens the window.
 */
export function isRacy(
  fingerprint: FileFingerprint,
  hashStartedAtInMs: number,
  racyWindowInMs: number,
): boolean {
  const changedAtInNs =
    BigInt(fingerprint.ctimeInNs) > BigInt(fingerprint.mtimeInNs)
      ? BigInt(fingerprint.ctimeInNs)
      : BigInt(fingerprint.mtimeInNs);
  const coarse = changedAtInNs % 1_000_000_000n === 0n;
  const windowInNs = BigInt(
    Math.round((coarse ? Math.max(racyWindowInMs, 2000) : racyWindowInMs) * 1e6),
  );
  return changedAtInNs + windowInNs > BigInt(Math.floor(hashStartedAtInMs)) * 1_000_000n;
}
