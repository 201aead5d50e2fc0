import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { ModelAdapter } from '../spec/model-adapter.js';
import type { ModelProcessEntry } from './model-process-entry.js';

/**
 * The import URL of `entry.module`: a `file:` URL as it is; a package name is resolved from
 * `entry.from` by walking up to that package's own `package.json` and reading its `exports`
 * (the child runs inside core, where the adapter's package is not a dependency).
 */
export async function resolveProcessEntryUrl(entry: ModelProcessEntry): Promise<string> {
  if (entry.module.startsWith('file:')) return entry.module;
  if (!entry.from?.startsWith('file:')) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Cannot resolve the process entry module "${entry.module}": give a file: URL or \`from\``,
    );
  }
  for (let dir = dirname(fileURLToPath(entry.from)); ; dir = dirname(dir)) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').then(
      (text) => JSON.parse(text) as { name?: string; exports?: unknown; main?: string },
      () => undefined,
    );
    if (manifest?.name === entry.module) {
      const exported = manifest.exports as Record<string, unknown> | string | undefined;
      const root = typeof exported === 'string' ? exported : exported?.['.'];
      const target =
        typeof root === 'string'
          ? root
          : ((root as Record<string, unknown> | undefined)?.import ??
            (root as Record<string, unknown> | undefined)?.default ??
            manifest.main);
      if (typeof target === 'string') return pathToFileURL(join(dir, target)).href;
    }
    if (dirname(dir) === dir) break;
  }
  throw new ModelLoaderError(
    'CONFIG_INVALID',
    `Cannot resolve the process entry module "${entry.module}" from its adapter's package`,
  );
}

/** Imports the adapter factory named by `entry` and creates the adapter with its settings. */
export async function importProcessEntry(
  entry: ModelProcessEntry,
): Promise<ModelAdapter<unknown, unknown>> {
  const module = (await import(await resolveProcessEntryUrl(entry))) as Record<string, unknown>;
  const factory = module[entry.exportName];
  if (typeof factory !== 'function') {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `The process entry module "${entry.module}" has no function export \`${entry.exportName}\``,
    );
  }
  return (factory as (settings: unknown) => ModelAdapter<unknown, unknown>)(entry.settings);
}
