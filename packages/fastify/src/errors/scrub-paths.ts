import { basename, sep } from 'node:path';

/** Absolute POSIX or Windows paths that start a word, a quote or follow a colon. */
const absolutePath = /(^|[\s'"`(=:,])((?:\/|[A-Za-z]:\\)[^\s'"`),]*)/g;

/**
 * Returns `text` without absolute paths: paths below a model directory become relative to it, any
 * other absolute path is cut to `…/<basename>`. A safety net for messages from native runtimes and
 * third-party loaders; the core's own messages already show model paths relative to the directory.
 */
export function scrubPaths(text: string, modelDirs: readonly string[]): string {
  let scrubbed = text;
  for (const dir of [...new Set(modelDirs)].filter((dir) => dir.length > 1)) {
    const withSep = dir.endsWith(sep) ? dir : `${dir}${sep}`;
    scrubbed = scrubbed.split(withSep).join('');
    scrubbed = scrubbed.split(dir).join('.');
  }
  return scrubbed.replace(absolutePath, (_match, before: string, path: string) => {
    const name = basename(path.replace(/[\\/]+$/, ''));
    return `${before}${name ? `…/${name}` : '…'}`;
  });
}
