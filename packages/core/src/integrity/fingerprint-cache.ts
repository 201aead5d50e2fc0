import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { CHECKSUM_HEX_LENGTHS, type ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import { type Logger, silentLogger } from '../spec/logger.js';
import type { FileFingerprint } from './file-fingerprint.js';

/** Version of the entry format; entries of another version are misses. */
export const FINGERPRINT_CACHE_VERSION = 1;

/** Options of {@link createFingerprintCache}. */
export interface FingerprintCacheOptions {
  /** Folder of the entries; created on the first write. @default defaultFingerprintCacheDirectory() */
  readonly directory?: string;
  /** Receives a warning for a corrupt entry or a failed write. @default silent */
  readonly logger?: Logger;
}

/** A digest the cache remembers, and when it was computed. */
export interface CachedDigest {
  readonly digest: string;
  /** ISO 8601 time the file was hashed. */
  readonly verifiedAt: string;
}

/**
 * Remembers digests of files by their fingerprint. One small JSON file per (real path, algorithm),
 * written to a temporary file and renamed into place, so readers never see a torn entry and
 * processes sharing the folder never lose each other's entries (the last writer of the same entry
 * wins, and both wrote the truth about the same fingerprint).
 */
export interface FingerprintCache {
  readonly directory: string;
  /** The digest remembered for exactly this fingerprint, or undefined. Never throws. */
  lookup(
    fingerprint: FileFingerprint,
    algorithm: ChecksumAlgorithm,
  ): Promise<CachedDigest | undefined>;
  /** Remembers a digest. Never throws: a failed write is logged once and the cache stays a miss. */
  store(fingerprint: FileFingerprint, algorithm: ChecksumAlgorithm, digest: string): Promise<void>;
}

interface CacheEntry extends FileFingerprint, CachedDigest {
  readonly version: number;
  readonly algorithm: ChecksumAlgorithm;
}

/**
 * `$XDG_CACHE_HOME/model-loader/fingerprints`, or `~/.cache/model-loader/fingerprints` when
 * XDG_CACHE_HOME is unset or relative (as the XDG base directory spec says).
 */
export function defaultFingerprintCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'model-loader', 'fingerprints');
}

/** Name of the entry file of one (real path, algorithm). */
export function fingerprintCacheEntryName(realPath: string, algorithm: ChecksumAlgorithm): string {
  return `${createHash('sha256').update(`${realPath}\0${algorithm}`).digest('hex')}.json`;
}

const digitsPattern = /^\d+$/;
const hexPattern = /^[0-9a-f]+$/;
const fingerprintFields = ['device', 'inode', 'sizeInBytes', 'mtimeInNs', 'ctimeInNs'] as const;

/** Why `value` is not a valid entry, or undefined when it is. */
function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not a JSON object';
  const entry = value as Record<string, unknown>;
  if (entry.version !== FINGERPRINT_CACHE_VERSION)
    return `unknown version ${JSON.stringify(entry.version)}`;
  if (typeof entry.realPath !== 'string') return '`realPath` is not a string';
  for (const field of fingerprintFields) {
    const field_ = entry[field];
    if (typeof field_ !== 'string' || !digitsPattern.test(field_))
      return `\`${field}\` is not a decimal string`;
  }
  const algorithm = entry.algorithm;
  if (typeof algorithm !== 'string' || !Object.hasOwn(CHECKSUM_HEX_LENGTHS, algorithm))
    return 'unknown `algorithm`';
  const digest = entry.digest;
  if (
    typeof digest !== 'string' ||
    !hexPattern.test(digest) ||
    digest.length !== CHECKSUM_HEX_LENGTHS[algorithm as ChecksumAlgorithm]
  ) {
    return '`digest` is not a hex digest of the right length';
  }
  if (typeof entry.verifiedAt !== 'string') return '`verifiedAt` is not a string';
  return undefined;
}

/** Creates a fingerprint cache in a folder (see {@link FingerprintCache}). */
export function createFingerprintCache(options: FingerprintCacheOptions = {}): FingerprintCache {
  const directory = options.directory ?? defaultFingerprintCacheDirectory();
  const logger = options.logger ?? silentLogger;
  let writeFailureReported = false;
  let directoryReady: Promise<unknown> | undefined;

  return {
    directory,
    async lookup(fingerprint, algorithm) {
      const file = join(directory, fingerprintCacheEntryName(fingerprint.realPath, algorithm));
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return undefined;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = Symbol('unparsable');
      }
      const problem = typeof parsed === 'symbol' ? 'not valid JSON' : entryProblem(parsed);
      if (problem !== undefined) {
        logger.warn(
          { cacheFile: file },
          `Ignoring corrupt fingerprint cache entry (${problem}); the file will be hashed`,
        );
        return undefined;
      }
      const entry = parsed as CacheEntry;
      if (entry.algorithm !== algorithm || entry.realPath !== fingerprint.realPath)
        return undefined;
      if (fingerprintFields.some((field) => entry[field] !== fingerprint[field])) return undefined;
      return { digest: entry.digest, verifiedAt: entry.verifiedAt };
    },
    async store(fingerprint, algorithm, digest) {
      const name = fingerprintCacheEntryName(fingerprint.realPath, algorithm);
      const file = join(directory, name);
      const temporary = join(
        directory,
        `.${name}.${process.pid}.${threadId}.${randomBytes(6).toString('hex')}.tmp`,
      );
      const entry: CacheEntry = {
        version: FINGERPRINT_CACHE_VERSION,
        ...fingerprint,
        algorithm,
        digest,
        verifiedAt: new Date().toISOString(),
      };
      try {
        directoryReady ??= mkdir(directory, { recursive: true });
        await directoryReady;
        await writeFile(temporary, `${JSON.stringify(entry, null, 2)}\n`, { flag: 'wx' });
        await rename(temporary, file);
      } catch (error) {
        directoryReady = undefined;
        await unlink(temporary).catch(() => {});
        if (!writeFailureReported) {
          writeFailureReported = true;
          logger.warn(
            { cacheDirectory: directory, error: (error as Error)?.message ?? String(error) },
            'Cannot write the fingerprint cache; files will be hashed again on the next start',
          );
        }
      }
    },
  };
}
