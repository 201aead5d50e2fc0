import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssuePath, formatIssues } from './format-issues.js';

describe('formatIssues', () => {
  const issues = [
    { path: ['models', 1, 'adapter'], message: 'unknown adapter "onnx"' },
    { path: [], message: 'Expected object, received string' },
    { path: [{ key: 'threadCount' }], message: 'Too small: expected number to be >0' },
  ];

  it('inline: one line, fields in backticks with dotted paths and bracketed indexes', () => {
    expect(formatIssues(issues)).toBe(
      '`models[1].adapter`: unknown adapter "onnx"; `(root)`: Expected object, received string; `threadCount`: Too small: expected number to be >0',
    );
  });

  it('list: one "- " line per issue, under a root', () => {
    expect(formatIssues(issues.slice(0, 1), { style: 'list', root: 'config' })).toBe(
      '- `config.models[1].adapter`: unknown adapter "onnx"',
    );
    expect(formatIssues([{ path: [0], message: 'bad' }], { root: 'models' })).toBe(
      '`models[0]`: bad',
    );
  });

  it('every issue appears once, in order, with its message', () => {
    const segment = fc.oneof(fc.nat(99), fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/));
    const issue = fc.record({ path: fc.array(segment, { maxLength: 4 }), message: fc.string() });
    fc.assert(
      fc.property(fc.array(issue, { minLength: 1, maxLength: 5 }), (list) => {
        const lines = formatIssues(list, { style: 'list' }).split('\n');
        expect(lines).toHaveLength(list.filter(() => true).length + countNewlines(list));
        expect(formatIssues(list, { style: 'list' })).toBe(
          list.map((one) => `- \`${formatIssuePath(one.path)}\`: ${one.message}`).join('\n'),
        );
      }),
    );
  });
});

function countNewlines(list: readonly { message: string }[]): number {
  return list.reduce((sum, one) => sum + one.message.split('\n').length - 1, 0);
}
