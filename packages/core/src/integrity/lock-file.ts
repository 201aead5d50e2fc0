import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { CHECKSUM_HEX_LENGTHS, type ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import type { ExpectedChecksum } from '../checksum/parse-checksum.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { findJsonSyntaxError } from './json-syntax-error.js';

/** Version written in `lockfileVersion`; a reader refuses versions it does not know. */
export const LOCK_FILE_VERSION = 1;

/** Name `model-loader lock` gives the lock file in the model directory. */
export const DEFAULT_LOCK_FILE_NAME = 'model-loader.lock.json';

/** One pinned file. */
export interface LockedFile {
  /** Path relative to the model directory, with `/` separators. */
  readonly path: string;
  readonly sizeInBytes: number;
  readonly algorithm: ChecksumAlgorithm;
  /** Lower-case hex digest. */
  readonly digest: string;
  /** Name of the model the file belongs to, when it was locked from a models config. */
  readonly model?: string;
  /** Where `model-loader pull` fetches the file (`https://...` or `hf://org/repo/path@revision`). */
  readonly source?: string;
}

/** A lock file: every model file pinned by path, size and digest. */
export interface LockFile {
  readonly lockfileVersion: typeof LOCK_FILE_VERSION;
  readonly files: readonly LockedFile[];
}

/**
 * Normalises a path written relative to the model directory (`./a\\b` on Windows and `a/b` agree)
 * and refuses one that is absolute or climbs out with `..`. Returns undefined for those.
 */
export function normaliseLockedPath(path: string): string | undefined {
  const forward = path.replaceAll('\\', '/');
  if (
    forward === '' ||
    forward.startsWith('/') ||
    /^[a-zA-Z]:\//.test(forward) ||
    forward.includes('\0')
  ) {
    return undefined;
  }
  const normal = posix.normalize(forward);
  if (normal === '..' || normal.startsWith('../') || normal === '.') return undefined;
  return normal;
}

/**
 * Parses and checks a lock file's text. Messages name the line and column (bad JSON) or the field
 * (a wrong entry) and what was expected, and never quote the file: a lock path pointed at another
 * file (`LOCK_FILE=/etc/passwd`) must not leak its bytes into logs or `/health`.
 * @throws ModelLoaderError CHECKSUM_FILE_INVALID naming the line or field that is wrong
 */
export function parseLockFile(text: string, source = 'lock file'): LockFile {
  const fail = (reason: string) =>
    new ModelLoaderError('CHECKSUM_FILE_INVALID', `${source}: ${reason}`, {});
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const problem = findJsonSyntaxError(text);
    throw fail(
      problem
        ? `not valid JSON: line ${problem.line}, column ${problem.column}: expected ${problem.expected}`
        : 'not valid JSON',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail('not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.lockfileVersion !== LOCK_FILE_VERSION) {
    throw fail(
      `\`lockfileVersion\` must be ${LOCK_FILE_VERSION} (the only version this release reads)`,
    );
  }
  if (!Array.isArray(record.files)) throw fail('`files` must be an array');
  const seen = new Map<string, number>();
  const files = record.files.map((item: unknown, index): LockedFile => {
    const at = `files[${index}]`;
    if (typeof item !== 'object' || item === null) throw fail(`\`${at}\` must be an object`);
    const file = item as Record<string, unknown>;
    const path = typeof file.path === 'string' ? normaliseLockedPath(file.path) : undefined;
    if (path === undefined)
      throw fail(`\`${at}.path\` must be a relative path inside the model directory`);
    const earlier = seen.get(path);
    if (earlier !== undefined)
      throw fail(`\`${at}.path\` repeats the path of \`files[${earlier}]\``);
    seen.set(path, index);
    if (
      typeof file.sizeInBytes !== 'number' ||
      !Number.isSafeInteger(file.sizeInBytes) ||
      file.sizeInBytes < 0
    ) {
      throw fail(`\`${at}.sizeInBytes\` must be a non-negative integer`);
    }
    const algorithm = file.algorithm;
    if (typeof algorithm !== 'string' || !Object.hasOwn(CHECKSUM_HEX_LENGTHS, algorithm)) {
      throw fail(
        `\`${at}.algorithm\` must be one of ${Object.keys(CHECKSUM_HEX_LENGTHS).join(', ')}`,
      );
    }
    const length = CHECKSUM_HEX_LENGTHS[algorithm as ChecksumAlgorithm];
    if (
      typeof file.digest !== 'string' ||
      !new RegExp(`^[0-9a-fA-F]{${length}}$`).test(file.digest)
    ) {
      throw fail(`\`${at}.digest\` must be ${length} hex digits`);
    }
    if (file.model !== undefined && typeof file.model !== 'string')
      throw fail(`\`${at}.model\` must be a string`);
    if (file.source !== undefined && (typeof file.source !== 'string' || file.source === ''))
      throw fail(`\`${at}.source\` must be a non-empty string`);
    return {
      path,
      sizeInBytes: file.sizeInBytes,
      algorithm: algorithm as ChecksumAlgorithm,
      digest: file.digest.toLowerCase(),
      ...(file.model === undefined ? {} : { model: file.model as string }),
      ...(file.source === undefined ? {} : { source: file.source as string }),
    };
  });
  return { lockfileVersion: LOCK_FILE_VERSION, files };
}

/** The lock file as JSON text: files sorted by path, two-space indent, final newline. */
export function formatLockFile(lock: LockFile): string {
  const files = [...lock.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => ({
      path: file.path,
      sizeInBytes: file.sizeInBytes,
      algorithm: file.algorithm,
      digest: file.digest,
      ...(file.model === undefined ? {} : { model: file.model }),
      ...(file.source === undefined ? {} : { source: file.source }),
    }));
  return `${JSON.stringify({ lockfileVersion: LOCK_FILE_VERSION, files }, null, 2)}\n`;
}

/**
 * Reads and parses a lock file. `label` names it in messages. @default path
 * @throws ModelLoaderError LOCK_FILE_NOT_FOUND, MODEL_FILE_NOT_READABLE, CHECKSUM_FILE_INVALID
 */
export async function readLockFile(path: string, label = path): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw lockReadError(error, label);
  }
  return parseLockFile(text, label);
}

/** A node:fs error met reading a lock file, as a coded error. */
export function lockReadError(error: unknown, label: string): ModelLoaderError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ModelLoaderError('LOCK_FILE_NOT_FOUND', `Lock file not found: ${label}`, {
      path: label,
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ModelLoaderError(
      'MODEL_FILE_NOT_READABLE',
      `Lock file is not readable (permission denied): ${label}`,
      { path: label, cause: error },
    );
  }
  if (code === 'EISDIR') {
    return new ModelLoaderError('CHECKSUM_FILE_INVALID', `${label}: a directory, not a lock file`, {
      path: label,
      cause: error,
    });
  }
  return new ModelLoaderError(
    'CHECKSUM_FILE_INVALID',
    `${label}: cannot be read (${code ?? 'error'})`,
    {
      path: label,
      cause: error,
    },
  );
}

/** Writes a lock file atomically (temporary file in the same folder, then rename). */
export async function writeLockFile(path: string, lock: LockFile): Promise<void> {
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.lock.tmp`);
  try {
    await writeFile(temporary, formatLockFile(lock), { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw error;
  }
}

/**
 * The checksum the lock file pins for a path relative to the model directory, ready for a model
 * spec's `checksum` field, or undefined when the path is not locked.
 */
export function lockedChecksum(lock: LockFile, relativePath: string): ExpectedChecksum | undefined {
  const path = normaliseLockedPath(relativePath);
  const file = lock.files.find((candidate) => candidate.path === path);
  return file ? { algorithm: file.algorithm, digest: file.digest } : undefined;
}
