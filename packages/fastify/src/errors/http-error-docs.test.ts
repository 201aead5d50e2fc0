import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { HTTP_ERROR_CODES, type HttpErrorCode } from './http-error.js';
import { HTTP_ERROR_DOCS } from './http-error-docs.js';

const docsUrl = new URL('../../../../docs/errors.md', import.meta.url);
const start = '<!-- http-error-table:start -->';
const end = '<!-- http-error-table:end -->';

function renderTable(): string {
  const escapePipes = (text: string) => text.replaceAll('|', '\\|');
  const rows = (Object.keys(HTTP_ERROR_CODES) as HttpErrorCode[]).map((code) => {
    const doc = HTTP_ERROR_DOCS[code];
    return `| \`${code}\` | ${HTTP_ERROR_CODES[code]} | ${escapePipes(doc.meaning)} | ${escapePipes(doc.fix)} |`;
  });
  return ['| code | status | meaning | what to do |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

describe('HTTP error codes', () => {
  it('docs/errors.md lists exactly the codes of HTTP_ERROR_CODES (UPDATE_DOCS=1 rewrites it)', async () => {
    const docs = await readFile(docsUrl, 'utf8');
    const [before, rest] = docs.split(start);
    const after = rest?.split(end)[1];
    if (before === undefined || after === undefined) {
      throw new Error(`docs/errors.md lacks the ${start} / ${end} markers`);
    }
    const expected = `${before}${start}\n${renderTable()}\n${end}${after}`;
    if (process.env.UPDATE_DOCS === '1') await writeFile(docsUrl, expected);
    else {
      expect(
        docs,
        'docs/errors.md is out of date: run `UPDATE_DOCS=1 pnpm --filter @model-loader/fastify test`',
      ).toBe(expected);
    }
  });

  it('documents no code that does not exist', () => {
    expect(Object.keys(HTTP_ERROR_DOCS).sort()).toEqual(Object.keys(HTTP_ERROR_CODES).sort());
  });
});
