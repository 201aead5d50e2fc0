import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

// End-to-end tests run the real `model-loader` command in a child process, which cannot load
// `.ts` on Node 20. This transpiles the CLI's sources file by file into node_modules/.cli-e2e of
// this package (so `@model-loader/core`, zod and cli-progress resolve as they do from dist),
// without depending on `build` having run before `test`.

const packageRoot = join(import.meta.dirname, '..', '..');
const sourceRoot = join(packageRoot, 'src');

/**
 * Transpiles the CLI and returns the path of its `bin.js`. Each test file passes its own
 * `outputName`, so test files running in parallel never rewrite each other's copy.
 */
export async function compileCli(outputName = '.cli-e2e'): Promise<string> {
  const { default: ts } = await import('typescript');
  const outputRoot = join(packageRoot, 'node_modules', outputName);
  await rm(outputRoot, { recursive: true, force: true });
  const packageJson = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  await mkdir(outputRoot, { recursive: true });
  await writeFile(
    join(outputRoot, 'package.json'),
    JSON.stringify({ type: 'module', version: packageJson.version }),
  );
  const entries = await readdir(sourceRoot, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const source = join(entry.parentPath, entry.name);
    if (relative(sourceRoot, source).startsWith('test-support')) continue;
    const output = ts.transpileModule(await readFile(source, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: source,
    });
    const target = join(outputRoot, 'src', relative(sourceRoot, source)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, output.outputText);
  }
  return join(outputRoot, 'src', 'bin.js');
}
