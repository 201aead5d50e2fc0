import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

// Tests run on the TypeScript sources, but worker threads and child processes run plain Node 20,
// which cannot load `.ts`. This transpiles the core's sources (one file at a time, as
// `isolatedModules` allows), with what they import, into a temporary folder so they can: the same code `tsc` would emit,
// without depending on a build of the whole package having run first.

const sourceRoot = join(import.meta.dirname, '..');

/** A transpiled copy of the core's sources. */
export interface CompiledCore {
  /** Folder of the copy (has a `package.json` with `"type": "module"`). */
  readonly directory: string;
  /** `integrity/hash-worker.js` of the copy, for `workerUrl`. */
  readonly workerUrl: URL;
  /** `index.js` of the copy (present when `index.ts` was an entry). */
  readonly indexUrl: URL;
  remove(): Promise<void>;
}

/**
 * Transpiles `entries` (paths relative to `packages/core/src`, `.ts`) and every module they import
 * at run time into a new temporary folder.
 */
export async function compileCoreForTests(
  entries: readonly string[] = ['integrity/hash-worker.ts'],
): Promise<CompiledCore> {
  const { default: ts } = await import('typescript');
  const directory = await mkdtemp(join(tmpdir(), 'model-loader-core-'));
  await writeFile(join(directory, 'package.json'), '{ "type": "module" }\n');
  const done = new Set<string>();
  const queue = entries.map((entry) => join(sourceRoot, entry));
  while (queue.length > 0) {
    const source = queue.pop()!;
    if (done.has(source)) continue;
    done.add(source);
    const output = ts.transpileModule(await readFile(source, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: source,
    });
    // Type-only imports are gone from the output; what is left is needed at run time.
    for (const match of output.outputText.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) {
      queue.push(join(dirname(source), `${match[1]}.ts`));
    }
    const target = join(directory, relative(sourceRoot, source)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, output.outputText);
  }
  return {
    directory,
    workerUrl: pathToFileURL(join(directory, 'integrity', 'hash-worker.js')),
    indexUrl: pathToFileURL(join(directory, 'index.js')),
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
