import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@model-loader/core';
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

const repoUrl = new URL('../../../../', import.meta.url);

/** Non-test TypeScript files below `dir` (relative to the repository root). */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(new URL(dir, repoUrl), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .filter(
      (entry) => !entry.name.endsWith('.test.ts') && !entry.parentPath.includes('test-support'),
    )
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Every code an answer of the plugin or the servers can carry, as written in their sources: a code
 * passed to an error's constructor (`new HttpError('X'`, `new ApiError(\n 'X'`), a `code: 'X'` or
 * `code = 'X'` field, and a `X: 400` row of a code-to-status table.
 */
function answeredCodes(source: string): string[] {
  const patterns = [
    /Error\(\s*'([A-Z][A-Z0-9_]+)'/g,
    /\bcode(?:\s*:|\s*=)\s*'([A-Z][A-Z0-9_]+)'/g,
    /^\s+([A-Z][A-Z0-9_]+): [1-5]\d\d,$/gm,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

describe('docs/errors.md', () => {
  it('has a row for every code the plugin and both servers can answer with', async () => {
    const docs = await readFile(docsUrl, 'utf8');
    const documented = new Set([...docs.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    const dirs = ['packages/fastify/src', 'apps/llm-server/src', 'apps/asr-ocr-server/src'];
    const found = new Map<string, string>();
    for (const file of (await Promise.all(dirs.map(sourceFiles))).flat()) {
      for (const code of answeredCodes(await readFile(file, 'utf8'))) {
        if (!found.has(code)) found.set(code, relative(fileURLToPath(repoUrl), file));
      }
    }
    for (const code of [...Object.keys(ERROR_CODES), ...Object.keys(HTTP_ERROR_CODES)]) {
      if (!found.has(code)) found.set(code, 'the error tables');
    }
    // The scan must see the apps' own codes, or it proves nothing.
    expect([...found.keys()]).toEqual(
      expect.arrayContaining([
        'CONTEXT_LENGTH_EXCEEDED',
        'REQUEST_UNSUPPORTED',
        'REQUEST_FIELD_UNKNOWN',
        'JSON_SCHEMA_UNSUPPORTED',
        'MODEL_BUSY',
        'UPLOAD_BUDGET_EXCEEDED',
      ]),
    );
    const undocumented = [...found].filter(([code]) => !documented.has(code));
    expect(undocumented, 'codes answered by the servers without a row in docs/errors.md').toEqual(
      [],
    );
  });

  it('does not list the retired QUEUE_FULL as a live code', async () => {
    const docs = await readFile(docsUrl, 'utf8');
    expect(docs).not.toMatch(/^\| `QUEUE_FULL` \|/m);
  });
});
