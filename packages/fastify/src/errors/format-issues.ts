import type { z } from 'zod';

/**
 * One line per zod issue, naming the field as a dotted path in backticks:
 * "- `models[1].adapter`: Invalid option: expected one of \"gguf\"|\"ocr\"".
 */
export function formatIssues(error: z.ZodError, root?: string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (text, key) =>
          typeof key === 'number'
            ? `${text}[${key}]`
            : text
              ? `${text}.${String(key)}`
              : String(key),
        root ?? '',
      );
      return `- \`${path || '(root)'}\`: ${issue.message}`;
    })
    .join('\n');
}
