import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax-error.js';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const expectedWords =
  /^(a value|a value before the end of the file|the end of the file|a string key|a string key or '\}'|':'|',' or '\}'|',' or '\]'|a closing quote|an escaped control character|4 hex digits|an escape character|a digit)$/;

describe('findJsonSyntaxError', () => {
  it('names the line, the column and what was expected, never the bytes', () => {
    expect(findJsonSyntaxError('root:x:0:0:root:/root:/bin/bash\n')).toEqual({
      line: 1,
      column: 1,
      expected: 'a value',
    });
    expect(
      findJsonSyntaxError('{\n  "files": [\n    {"path": "a"}\n    {"path": "b"}\n  ]\n}'),
    ).toEqual({
      line: 4,
      column: 5,
      expected: "',' or ']'",
    });
    expect(findJsonSyntaxError('{"a": 1,}')).toEqual({
      line: 1,
      column: 9,
      expected: 'a string key',
    });
    expect(findJsonSyntaxError('{"a" 1}')).toEqual({ line: 1, column: 6, expected: "':'" });
    expect(findJsonSyntaxError('[1, 2')).toMatchObject({ expected: "',' or ']'" });
    expect(findJsonSyntaxError('"abc')).toMatchObject({ expected: 'a closing quote' });
    expect(findJsonSyntaxError('')).toMatchObject({
      expected: 'a value before the end of the file',
    });
    expect(findJsonSyntaxError('{} x')).toEqual({
      line: 1,
      column: 4,
      expected: 'the end of the file',
    });
    expect(findJsonSyntaxError('01')).toMatchObject({ expected: 'a digit' });
    expect(findJsonSyntaxError('"\\x"')).toMatchObject({ expected: 'an escape character' });
    expect(findJsonSyntaxError('"\\u12g4"')).toMatchObject({ expected: '4 hex digits' });
    expect(findJsonSyntaxError('"a\tb"')).toMatchObject({
      expected: 'an escaped control character',
    });
  });

  it('survives deep nesting without recursion', () => {
    expect(findJsonSyntaxError('['.repeat(50_000))).toMatchObject({
      expected: 'a value before the end of the file',
    });
    expect(findJsonSyntaxError(`${'['.repeat(50_000)}${']'.repeat(50_000)}`)).toBeUndefined();
  });

  it('accepts every JSON text (property)', () => {
    fc.assert(
      fc.property(fc.json(), fc.constantFrom('', ' ', '\n', '\r\n\t'), (text, space) => {
        expect(findJsonSyntaxError(`${space}${text}${space}`)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('rejects exactly what JSON.parse rejects, in words from a fixed list (property)', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 }))
      .map(([text, at, insert, cut]) => {
        const position = at % (text.length + 1);
        return text.slice(0, position) + insert + text.slice(position + cut);
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string(), fc.string({ unit: 'binary' })), (text) => {
        const problem = findJsonSyntaxError(text);
        expect(problem === undefined).toBe(parses(text));
        if (problem) {
          expect(problem.expected).toMatch(expectedWords);
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
