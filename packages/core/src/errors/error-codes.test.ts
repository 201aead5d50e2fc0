import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorCodes } from './error-codes.js';
import { ModelLoaderError } from './model-loader-error.js';

const docsUrl = new URL('../../../../docs/errors.md', import.meta.url);
const start = '<!-- error-table:start -->';
const end = '<!-- error-table:end -->';

function renderTable(): string {
  const escapePipes = (text: string) => text.replaceAll('|', '\\|');
  const rows = errorCodes.map((code) => {
    const info = ERROR_CODES[code];
    return `| \`${code}\` | ${escapePipes(info.meaning)} | ${escapePipes(info.fix)} | ${info.retryable ? 'yes' : 'no'} |`;
  });
  return ['| code | meaning | how to fix | retried |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

describe('error codes', () => {
  it('docs/errors.md lists exactly the codes of ERROR_CODES (UPDATE_DOCS=1 rewrites it)', async () => {
    const docs = await readFile(docsUrl, 'utf8');
    const table = renderTable();
    const [before, rest] = docs.split(start);
    const after = rest?.split(end)[1];
    if (before === undefined || after === undefined)
      throw new Error(`docs/errors.md lacks the ${start} / ${end} markers`);
    const expected = `${before}${start}\n${table}\n${end}${after}`;
    if (process.env.UPDATE_DOCS === '1') await writeFile(docsUrl, expected);
    else
      expect(
        docs,
        'docs/errors.md is out of date: run `UPDATE_DOCS=1 pnpm --filter @model-loader/core test`',
      ).toBe(expected);
  });

  it('codes are SCREAMING_SNAKE_CASE and every one can be raised with its default retryability', () => {
    for (const code of errorCodes) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      const error = new ModelLoaderError(code, 'x');
      expect(error.isRetryable).toBe(ERROR_CODES[code].retryable);
      expect(error.toJSON()).toEqual({ code, message: 'x' });
    }
  });

  it('isInstance recognises errors from another copy of the package by their Symbol.for brand', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('@model-loader/core.error')]: true,
      code: 'MODEL_FILE_EMPTY',
    });
    expect(ModelLoaderError.isInstance(foreign)).toBe(true);
    expect(ModelLoaderError.isInstance(new Error('x'))).toBe(false);
    expect(
      ModelLoaderError.hasCode(new ModelLoaderError('CHECKSUM_MISMATCH', 'x'), 'CHECKSUM_MISMATCH'),
    ).toBe(true);
  });

  it('keeps the cause', () => {
    const cause = new Error('disk');
    expect(new ModelLoaderError('MODEL_LOAD_FAILED', 'x', { cause }).cause).toBe(cause);
  });
});
