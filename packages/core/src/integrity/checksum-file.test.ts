import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../test-support/temp-dir.js';
import {
  checksumAlgorithmFromFileName,
  formatChecksumFile,
  formatChecksumLine,
  parseChecksumFile,
} from './checksum-file.js';

const run = promisify(execFile);
const tempDir = useTempDirs();
const digest64 = 'ab'.repeat(32);

describe('sha256sum files', () => {
  it('reads text mode, binary mode, BSD tags, escaped names and CRLF lines', () => {
    const text = [
      `${digest64}  model.gguf`,
      `${'CD'.repeat(20)} *bin/tokenizer.json`,
      `MD5 (a (1).txt) = ${'0f'.repeat(16)}`,
      `\\${digest64}  back\\\\slash\\nnew\\rcr`,
      '',
      `${digest64}  crlf.bin\r`,
    ].join('\n');
    expect(parseChecksumFile(text)).toEqual([
      { path: 'model.gguf', algorithm: 'sha256', digest: digest64 },
      { path: 'bin/tokenizer.json', algorithm: 'sha1', digest: 'cd'.repeat(20) },
      { path: 'a (1).txt', algorithm: 'md5', digest: '0f'.repeat(16) },
      { path: 'back\\slash\nnew\rcr', algorithm: 'sha256', digest: digest64 },
      { path: 'crlf.bin', algorithm: 'sha256', digest: digest64 },
    ]);
  });

  it('names the line of a malformed entry', () => {
    const cases: [string, string][] = [
      [
        `${digest64} model.gguf`,
        'SUMS:1: improperly formatted checksum line (expected `<hex digest>  <file name>`)',
      ],
      [
        `${digest64}  ok\nnot a line`,
        'SUMS:2: improperly formatted checksum line (expected `<hex digest>  <file name>`)',
      ],
      [`${'a'.repeat(63)}  x`, 'SUMS:1: a digest of 63 hex digits matches no algorithm'],
      [
        `\\${digest64}  bad\\tescape`,
        'SUMS:1: bad escape in file name (only \\\\, \\n and \\r are allowed)',
      ],
    ];
    for (const [text, message] of cases) {
      expect(() => parseChecksumFile(text, { source: 'SUMS' })).toThrowError(message);
      expect(() => parseChecksumFile(text, { source: 'SUMS' })).toThrowError(
        expect.objectContaining({ code: 'CHECKSUM_FILE_INVALID' }),
      );
    }
    expect(() =>
      parseChecksumFile(`${'ab'.repeat(16)}  x`, { algorithm: 'sha256', source: 'S' }),
    ).toThrowError('S:1: a digest of 32 hex digits matches no algorithm (sha256 has 64)');
  });

  it('writes what GNU sha256sum writes, escapes included, and reads it back', async () => {
    const dir = await tempDir();
    const names = ['plain.bin', 'with space', 'back\\slash', 'new\nline', 'carriage\rreturn'];
    for (const name of names) await writeFile(join(dir, name), `content of ${name}`);
    const { stdout } = await run('sha256sum', names, { cwd: dir });
    const entries = parseChecksumFile(stdout);
    expect(entries.map((entry) => entry.path)).toEqual(names);
    expect(formatChecksumFile(entries)).toBe(stdout);
  });

  it('round-trips any file name (property)', () => {
    fc.assert(
      fc.property(
        fc.string({
          minLength: 1,
          unit: fc.constantFrom('a', ' ', '\\', '\n', '\r', '*', '(', ')', '=', 'é'),
        }),
        fc.constantFrom('sha256', 'sha1', 'md5'),
        (name, algorithm) => {
          const digest = { sha256: digest64, sha1: 'cd'.repeat(20), md5: '0f'.repeat(16) }[
            algorithm
          ];
          const line = formatChecksumLine({ path: name, digest });
          expect(parseChecksumFile(line)).toEqual([{ path: name, algorithm, digest }]);
        },
      ),
    );
  });

  it('tells the algorithm from conventional file names', () => {
    expect(checksumAlgorithmFromFileName('/x/SHA256SUMS')).toBe('sha256');
    expect(checksumAlgorithmFromFileName('model.gguf.sha1')).toBe('sha1');
    expect(checksumAlgorithmFromFileName('MD5SUMS.txt')).toBe('md5');
    expect(checksumAlgorithmFromFileName('checksums.txt')).toBeUndefined();
  });
});
