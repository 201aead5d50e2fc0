import { describe, expect, it } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { createOptionalModuleImport } from './import-optional-module.js';

const missingPackage = '@model-loader/package-that-is-not-installed';

describe('createOptionalModuleImport', () => {
  it('a missing package gives RUNTIME_NOT_INSTALLED, not retryable, naming the package and the fix', async () => {
    const importMissing = createOptionalModuleImport({
      packageName: missingPackage,
      requiredBy: '@model-loader/adapter-test',
      importModule: () => import(missingPackage),
      hint: 'Or pass the library as `lib`.',
    });
    const error = await importMissing().catch((caught: unknown) => caught);
    expect(ModelLoaderError.hasCode(error, 'RUNTIME_NOT_INSTALLED')).toBe(true);
    const coded = error as ModelLoaderError;
    expect(coded.isRetryable).toBe(false);
    expect(coded.message).toMatch(
      /^Cannot import @model-loader\/package-that-is-not-installed: .+\. Install it next to @model-loader\/adapter-test \(`pnpm add @model-loader\/package-that-is-not-installed`\) with its prebuilt binary for this platform\. Or pass the library as `lib`\.$/,
    );
    expect(coded.message).not.toContain('\n');
    expect((coded.cause as NodeJS.ErrnoException).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('imports once and shares the promise; a failure is forgotten so the next call imports again', async () => {
    let calls = 0;
    let fail = true;
    const importOnce = createOptionalModuleImport({
      packageName: 'node:path',
      requiredBy: 'the test',
      importModule: async () => {
        calls += 1;
        if (fail) throw new Error('not yet');
        return import('node:path');
      },
      select: (module) => module.basename,
    });
    await expect(importOnce()).rejects.toMatchObject({ code: 'RUNTIME_NOT_INSTALLED' });
    fail = false;
    const [first, second] = await Promise.all([importOnce(), importOnce()]);
    expect(first).toBe(second);
    expect(first('/a/b.gguf')).toBe('b.gguf');
    await importOnce();
    expect(calls).toBe(2);
  });
});
