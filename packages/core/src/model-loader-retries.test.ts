import { describe, expect, it } from 'vitest';
import type { ModelLoaderError } from './errors/model-loader-error.js';
import { ModelLoader } from './model-loader.js';
import { createCountingAdapter } from './test-support/controllable-loader.js';
import { fastBackoff as fast, record, useModelDirs } from './test-support/model-dirs.js';

const { makeDir, modelDirWith } = useModelDirs();

describe('ModelLoader retries and timeouts', () => {
  it('retries transient failures with the backoff schedule and reports each failed attempt', async () => {
    const dir = await modelDirWith('m.gguf');
    const { adapter, stats } = createCountingAdapter({ failTimes: 2 });
    const loader = new ModelLoader({ modelDir: dir, backoff: fast }).register({
      name: 'm',
      path: 'm.gguf',
      adapter: adapter,
      attempts: 3,
    });
    const failures = record(loader, 'attemptFailed');
    await loader.load('m');
    expect(stats.loads).toBe(1);
    expect(
      failures.map((failure) => [failure.attempt, failure.nextDelayInMs, failure.error.code]),
    ).toEqual([
      [1, 5, 'MODEL_LOAD_FAILED'],
      [2, 10, 'MODEL_LOAD_FAILED'],
    ]);
    expect(loader.getModelInfo('m')).toMatchObject({
      attempts: 3,
      maxAttempts: 3,
      state: 'loaded',
    });
  });

  it('keeps every attempt error and says why it stopped when attempts run out', async () => {
    const dir = await modelDirWith('m.gguf');
    const { adapter } = createCountingAdapter({ failTimes: 5 });
    const loader = new ModelLoader({ modelDir: dir, backoff: fast }).register({
      name: 'm',
      path: 'm.gguf',
      adapter: adapter,
      attempts: 2,
    });
    const error = (await loader.load('m').catch((e: unknown) => e)) as ModelLoaderError;
    expect(error.code).toBe('MODEL_LOAD_FAILED');
    expect(error.stopReason).toBe('maxAttemptsExceeded');
    expect(error.attemptErrors).toHaveLength(2);
    expect(error.message).toBe(
      "Failed to load model 'm': Error: CUDA out of memory (gave up after 2 attempts)",
    );
  });

  it('never retries validation failures: the loader is not called', async () => {
    const dir = await makeDir();
    const { adapter, stats } = createCountingAdapter();
    const loader = new ModelLoader({ modelDir: dir, backoff: fast }).register({
      name: 'm',
      path: 'gone.gguf',
      adapter: adapter,
      attempts: 5,
    });
    await expect(loader.load('m')).rejects.toMatchObject({ code: 'MODEL_FILE_NOT_FOUND' });
    expect(stats.loads + stats.maxActive).toBe(0);
    expect(loader.getModelInfo('m').attempts).toBe(0);
  });

  it('times out a hanging loader, aborts its signal, and disposes a copy that arrives late', async () => {
    const dir = await modelDirWith('m.gguf');
    let seenSignal: AbortSignal | undefined;
    const disposed: string[] = [];
    const loader = new ModelLoader({ modelDir: dir }).register({
      name: 'm',
      path: 'm.gguf',
      loadTimeoutInMs: 30,
      adapter: {
        kind: 'file',
        load: async (_path, _options, context) => {
          seenSignal = context.signal;
          await new Promise((resolve) => setTimeout(resolve, 80));
          return 'late';
        },
        dispose: (model: string) => {
          disposed.push(model);
        },
      },
    });
    await expect(loader.load('m')).rejects.toMatchObject({
      code: 'MODEL_LOAD_TIMEOUT',
      message: "Loading model 'm' timed out after 30 ms",
    });
    expect(seenSignal?.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(disposed).toEqual(['late']);
  });
});
