/** Where a text stops being JSON, and what JSON needed there. Never holds bytes of the text. */
export interface JsonSyntaxProblem {
  /** 1-based line of the first byte JSON cannot accept. */
  readonly line: number;
  /** 1-based column (in UTF-16 code units) on that line. */
  readonly column: number;
  /** What JSON allows at that point, in words from a fixed list (e.g. `a value`, `',' or '}'`). */
  readonly expected: string;
}

const isWhitespace = (code: number) =>
  code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const escapes = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const hex4 = /[0-9a-fA-F]{4}/y;

/**
 * Finds the first syntax error of a JSON text (RFC 8259, as `JSON.parse` reads it), or undefined
 * when the text is valid JSON. Unlike `JSON.parse`'s message, the answer never quotes the text, so
 * it is safe to show for a file that should not be echoed (a lock file path pointing at a secret).
 * Iterative, so a deeply nested text cannot overflow the stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  let index = 0;
  const stack: ('array' | 'object')[] = [];
  const fail = (expected: string): JsonSyntaxProblem => {
    let line = 1;
    let lineStart = 0;
    for (let at = 0; at < index; at += 1) {
      if (text.charCodeAt(at) === 0x0a) {
        line += 1;
        lineStart = at + 1;
      }
    }
    return { line, column: index - lineStart + 1, expected };
  };
  const skipWhitespace = () => {
    while (index < text.length && isWhitespace(text.charCodeAt(index))) index += 1;
  };
  /** Reads a string starting at its quote; returns a problem or undefined. */
  const readString = (): JsonSyntaxProblem | undefined => {
    index += 1;
    for (;;) {
      if (index >= text.length) return fail('a closing quote');
      const code = text.charCodeAt(index);
      if (code === 0x22) {
        index += 1;
        return undefined;
      }
      if (code < 0x20) return fail('an escaped control character');
      if (code === 0x5c) {
        const next = text[index + 1];
        if (next === 'u') {
          hex4.lastIndex = index + 2;
          if (!hex4.test(text)) {
            index += 2;
            return fail('4 hex digits');
          }
          index += 6;
        } else if (next !== undefined && escapes.has(next)) {
          index += 2;
        } else {
          index += 1;
          return fail('an escape character');
        }
      } else {
        index += 1;
      }
    }
  };

  for (;;) {
    // A value is expected here.
    skipWhitespace();
    const char = text[index];
    if (char === '{') {
      index += 1;
      skipWhitespace();
      if (text[index] === '}') {
        index += 1;
      } else {
        stack.push('object');
        if (text[index] !== '"') return fail("a string key or '}'");
        const problem = readString();
        if (problem) return problem;
        skipWhitespace();
        if (text[index] !== ':') return fail("':'");
        index += 1;
        continue;
      }
    } else if (char === '[') {
      index += 1;
      skipWhitespace();
      if (text[index] === ']') {
        index += 1;
      } else {
        stack.push('array');
        continue;
      }
    } else if (char === '"') {
      const problem = readString();
      if (problem) return problem;
    } else if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
      number.lastIndex = index;
      const match = number.exec(text);
      if (match === null) {
        index += 1;
        return fail('a digit');
      }
      index += match[0].length;
      const after = text[index];
      if (
        after === '.' ||
        after === 'e' ||
        after === 'E' ||
        (after !== undefined && after >= '0' && after <= '9')
      ) {
        index += 1;
        return fail('a digit');
      }
    } else if (text.startsWith('true', index)) {
      index += 4;
    } else if (text.startsWith('false', index)) {
      index += 5;
    } else if (text.startsWith('null', index)) {
      index += 4;
    } else {
      return fail(index >= text.length ? 'a value before the end of the file' : 'a value');
    }
    // After a value: close containers, or move to the next member.
    for (;;) {
      skipWhitespace();
      const container = stack.at(-1);
      if (container === undefined) {
        return index >= text.length ? undefined : fail('the end of the file');
      }
      const next = text[index];
      if (next === ',') {
        index += 1;
        if (container === 'object') {
          skipWhitespace();
          if (text[index] !== '"') return fail('a string key');
          const problem = readString();
          if (problem) return problem;
          skipWhitespace();
          if (text[index] !== ':') return fail("':'");
          index += 1;
        }
        break;
      }
      if ((container === 'object' && next === '}') || (container === 'array' && next === ']')) {
        index += 1;
        stack.pop();
        continue;
      }
      return fail(container === 'object' ? "',' or '}'" : "',' or ']'");
    }
  }
}
