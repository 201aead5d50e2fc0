import { basename } from 'node:path';
import { CHECKSUM_HEX_LENGTHS, type ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';

/** One line of a GNU `sha256sum` / `sha1sum` / `md5sum` checksum file. */
export interface ChecksumFileEntry {
  /** File name as written (unescaped), relative to where the check runs. */
  readonly path: string;
  readonly algorithm: ChecksumAlgorithm;
  /** Lower-case hex digest. */
  readonly digest: string;
}

/** Options of {@link parseChecksumFile}. */
export interface ParseChecksumFileOptions {
  /** Algorithm of every line. @default inferred from each digest's length (64 sha256, 40 sha1, 32 md5) */
  readonly algorithm?: ChecksumAlgorithm;
  /** Name of the file, shown in error messages. @default 'checksum file' */
  readonly source?: string;
}

const tagNames: Record<string, ChecksumAlgorithm> = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256' };
const algorithmByLength = new Map<number, ChecksumAlgorithm>(
  Object.entries(CHECKSUM_HEX_LENGTHS).map(([algorithm, length]) => [
    length,
    algorithm as ChecksumAlgorithm,
  ]),
);
const gnuLine = /^([0-9a-fA-F]+) [ *](.+)$/s;
const tagLine = /^(MD5|SHA1|SHA256) \((.+)\) = ([0-9a-fA-F]+)$/s;

/** The algorithm a checksum file's name announces (`SHA256SUMS`, `model.gguf.sha256`, `MD5SUMS`). */
export function checksumAlgorithmFromFileName(path: string): ChecksumAlgorithm | undefined {
  const name = basename(path).toLowerCase();
  for (const algorithm of ['sha256', 'sha1', 'md5'] as const) {
    if (name.startsWith(`${algorithm}sum`) || name.endsWith(`.${algorithm}`)) return algorithm;
  }
  return undefined;
}

/**
 * Reads a checksum file as GNU coreutils writes it: `<hex>  <name>` (text mode) or `<hex> *<name>`
 * (binary mode), or the BSD form `SHA256 (<name>) = <hex>` of `--tag`. A line that starts with a
 * backslash has its name escaped (`\\`, `\n`, `\r`), as coreutils 9 does for such names. Blank lines
 * are skipped; any other malformed line is an error naming its line number.
 * @throws ModelLoaderError CHECKSUM_FILE_INVALID
 */
export function parseChecksumFile(
  text: string,
  options: ParseChecksumFileOptions = {},
): ChecksumFileEntry[] {
  const source = options.source ?? 'checksum file';
  const entries: ChecksumFileEntry[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((rawLine, index) => {
    const fail = (reason: string) =>
      new ModelLoaderError('CHECKSUM_FILE_INVALID', `${source}:${index + 1}: ${reason}`, {});
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    const escaped = line.startsWith('\\');
    if (escaped) line = line.slice(1);
    let hex: string;
    let name: string;
    let algorithm: ChecksumAlgorithm | undefined;
    const tag = tagLine.exec(line);
    const gnu = tag ? null : gnuLine.exec(line);
    if (tag) {
      algorithm = tagNames[tag[1]!];
      name = tag[2]!;
      hex = tag[3]!;
    } else if (gnu) {
      hex = gnu[1]!;
      name = gnu[2]!;
    } else {
      throw fail('improperly formatted checksum line (expected `<hex digest>  <file name>`)');
    }
    if (escaped) {
      const unescaped = unescapeName(name);
      if (unescaped === undefined)
        throw fail('bad escape in file name (only \\\\, \\n and \\r are allowed)');
      name = unescaped;
    }
    const inferred = algorithmByLength.get(hex.length);
    if (
      options.algorithm !== undefined &&
      algorithm !== undefined &&
      algorithm !== options.algorithm
    ) {
      throw fail(`a ${algorithm} line in a ${options.algorithm} file`);
    }
    algorithm ??= options.algorithm ?? inferred;
    if (algorithm === undefined || hex.length !== CHECKSUM_HEX_LENGTHS[algorithm]) {
      throw fail(
        `a digest of ${hex.length} hex digits matches no algorithm${algorithm ? ` (${algorithm} has ${CHECKSUM_HEX_LENGTHS[algorithm]})` : ''}`,
      );
    }
    entries.push({ path: name, algorithm, digest: hex.toLowerCase() });
  });
  return entries;
}

function unescapeName(name: string): string | undefined {
  let result = '';
  for (let index = 0; index < name.length; index += 1) {
    const char = name[index]!;
    if (char !== '\\') {
      result += char;
      continue;
    }
    const next = name[index + 1];
    index += 1;
    if (next === '\\') result += '\\';
    else if (next === 'n') result += '\n';
    else if (next === 'r') result += '\r';
    else return undefined;
  }
  return result;
}

/**
 * One line exactly as GNU `sha256sum` prints it (text mode), newline included: a name containing a
 * backslash, newline or carriage return is escaped and the line starts with a backslash.
 */
export function formatChecksumLine(entry: Pick<ChecksumFileEntry, 'path' | 'digest'>): string {
  const needsEscape = /[\\\n\r]/.test(entry.path);
  if (!needsEscape) return `${entry.digest}  ${entry.path}\n`;
  const name = entry.path.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r');
  return `\\${entry.digest}  ${name}\n`;
}

/** A whole checksum file, one GNU line per entry, in the order given. */
export function formatChecksumFile(
  entries: readonly Pick<ChecksumFileEntry, 'path' | 'digest'>[],
): string {
  return entries.map(formatChecksumLine).join('');
}
