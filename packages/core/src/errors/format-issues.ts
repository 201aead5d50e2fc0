/**
 * One validation issue, in the shape zod (3 and 4) and Standard Schema report them. Core does not
 * depend on zod: any object with a `path` and a `message` fits.
 */
export interface ValidationIssue {
  /** Keys from the root of the value to the bad field; empty for the value itself. */
  readonly path: readonly PropertyKey[] | readonly { readonly key: PropertyKey }[];
  readonly message: string;
}

/** Options of {@link formatIssues}. */
export interface FormatIssuesOptions {
  /** Prefix of every path, such as `models[1]` or an option name. @default none */
  readonly root?: string;
  /**
   * `inline`: "`a.b`: message; `c`: message" for one-line error messages; `list`: one
   * "- `a.b`: message" line per issue, for configuration files and start-up errors.
   * @default 'inline'
   */
  readonly style?: 'inline' | 'list';
}

/**
 * A dotted path with array indexes in brackets, `models[1].adapter`; `(root)` for an empty one.
 */
export function formatIssuePath(path: ValidationIssue['path'], root = ''): string {
  const text = path.reduce<string>((joined, segment) => {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (typeof key === 'number') return `${joined}[${key}]`;
    const name = String(typeof key === 'symbol' ? (key.description ?? '') : key);
    return joined ? `${joined}.${name}` : name;
  }, root);
  return text || '(root)';
}

/**
 * The one formatter of validation issues (zod's `error.issues`): each issue names its field as a
 * path in backticks, then the validator's message.
 */
export function formatIssues(
  issues: readonly ValidationIssue[],
  options: FormatIssuesOptions = {},
): string {
  const lines = issues.map(
    (issue) => `\`${formatIssuePath(issue.path, options.root)}\`: ${issue.message}`,
  );
  return options.style === 'list' ? lines.map((line) => `- ${line}`).join('\n') : lines.join('; ');
}
