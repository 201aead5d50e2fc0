import { basename } from 'node:path';

/** What may stand before a path: the start, a space, a quote, a bracket, `=`, `:` or `,`. */
const pathStart = '(^|[\\s\'"`(=:,])';

/** Absolute POSIX or Windows paths that start a word, a quote or follow a colon. */
const absolutePath = /(^|[\s'"`(=:,])((?:\/|[A-Za-z]:\\)[^\s'"`),]*)/g;

/**
 * Returns `text` without absolute paths: paths below a model directory become relative to it, any
 * other absolute path is cut to `…/<basename>`. A safety net for messages from native runtimes and
 * third-party loaders; the core's own messages already show model paths relative to the directory.
 */
export function scrubPaths(text: string, modelDirs: readonly string[]): string {
  let scrubbed = text;
  const dirs = modelDirs.map((dir) => dir.replace(/[\\/]+$/, '')).filter((dir) => dir.length > 1);
  for (const dir of [...new Set(dirs)]) {
    const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Only whole path prefixes: `/models` must not eat the start of `/models2` or `/etc/models`.
    scrubbed = scrubbed
      .replace(new RegExp(`${pathStart}${escaped}[\\\\/]+`, 'g'), '$1')
      .replace(new RegExp(`${pathStart}${escaped}(?=$|[\\s'"\`),])`, 'g'), '$1.');
  }
  return scrubbed.replace(absolutePath, (_match, before: string, path: string) => {
    const name = basename(path.replace(/[\\/]+$/, ''));
    return `${before}${name ? `…/${name}` : '…'}`;
  });
}

/** Deep copy of a JSON value with every string scrubbed of absolute paths. */
export function scrubDeep<T>(value: T, modelDirs: readonly string[]): T {
  if (typeof value === 'string') return scrubPaths(value, modelDirs) as T;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, modelDirs)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, scrubDeep(item, modelDirs)]),
    ) as T;
  }
  return value;
}
