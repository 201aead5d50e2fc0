import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeTinyWhisperModel } from '@model-loader/fixtures';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './test-support/temp-dir.js';

const run = promisify(execFile);
const tempDir = useTempDir('whisper-missing-');

// A resolve hook that answers for @huggingface/transformers as Node does for a package that is not
// installed: the child runs the built adapter and the real engine, only without transformers.js.
const hideTransformers = `
export async function resolve(specifier, context, next) {
  if (specifier === '@huggingface/transformers') {
    const error = new Error("Cannot find package '@huggingface/transformers' imported from the adapter");
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}`;

describe('transformers.js is not installed', () => {
  it('the load fails once with RUNTIME_NOT_INSTALLED, not retried with backoff', async () => {
    const root = await tempDir();
    await writeTinyWhisperModel(join(root, 'tiny-whisper'));
    const coreUrl = import.meta.resolve('@model-loader/core');
    const adapterUrl = new URL('../dist/index.js', import.meta.url).href;
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hideTransformers)}));
      const { ModelLoader } = await import(${JSON.stringify(coreUrl)});
      const { createWhisperAdapter } = await import(${JSON.stringify(adapterUrl)});
      let loads = 0;
      const adapter = createWhisperAdapter();
      const loader = new ModelLoader({ modelDir: ${JSON.stringify(root)} }).register({
        name: 'whisper',
        path: 'tiny-whisper',
        attempts: 3,
        adapter: { ...adapter, load: (...args) => { loads += 1; return adapter.load(...args); } },
      });
      const { whisper } = await loader.loadAll();
      const cause = whisper.error.cause ?? whisper.error;
      console.log(JSON.stringify({
        code: whisper.error.code, causeCode: cause.code, retryable: cause.isRetryable,
        message: cause.message, stopReason: whisper.error.stopReason, loads,
      }));
      await loader.close();`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 60_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result).toMatchObject({
      causeCode: 'RUNTIME_NOT_INSTALLED',
      retryable: false,
      loads: 1,
    });
    expect(result).toMatchObject({
      code: 'RUNTIME_NOT_INSTALLED',
      stopReason: 'errorNotRetryable',
    });
    expect(result.message).toBe(
      "Cannot import @huggingface/transformers: Cannot find package '@huggingface/transformers' imported from the adapter. Install it next to @model-loader/adapter-whisper (`pnpm add @huggingface/transformers`) with its prebuilt binary for this platform.",
    );
  }, 90_000);
});
