import { join } from 'node:path';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { ModelLoaderError } from './errors/model-loader-error.js';
import { ModelLoader } from './model-loader.js';
import type { ModelRegistry } from './model-registry.js';
import { createCountingAdapter, type FakeModel } from './test-support/controllable-loader.js';
import { record, useModelDirs } from './test-support/model-dirs.js';

const { makeDir, modelDirWith } = useModelDirs();

class RuntimeError extends Error {
  override name = 'RuntimeError';
}

describe('ModelLoader', () => {
  it('loads registered models in parallel, returns them typed, and reports healthy', async () => {
    const dir = await modelDirWith('summariser.gguf', 'bns.gguf');
    const { adapter } = createCountingAdapter();
    const loader = new ModelLoader({ modelDir: dir })
      .register({ name: 'summariser', path: 'summariser.gguf', adapter: adapter })
      .register({
        name: 'bns_check',
        path: 'bns.gguf',
        adapter: async () => 'plain',
        required: false,
      });
    const results = await loader.loadAll();
    expect(Object.values(results).map((result) => [result.name, result.ok, result.state])).toEqual([
      ['summariser', true, 'loaded'],
      ['bns_check', true, 'loaded'],
    ]);
    const summariser = loader.get('summariser');
    expectTypeOf(summariser).toEqualTypeOf<FakeModel>();
    expectTypeOf(loader.get('bns_check')).toEqualTypeOf<string>();
    expect(summariser.id).toBe(1);
    expect(loader.getHealthStatus()).toMatchObject({
      status: 'healthy',
      message: 'All models loaded successfully',
      modelsLoaded: { summariser: true, bns_check: true },
      loadedCount: 2,
      totalCount: 2,
      errors: {},
    });
    expect(loader.getModelInfo('summariser')).toMatchObject({
      state: 'loaded',
      required: true,
      sizeInBytes: 32,
      files: [{ path: 'summariser.gguf', sizeInBytes: 32, format: 'gguf' }],
      attempts: 1,
      activeLeases: 0,
    });
    await loader.close();
  });

  it('passes the resolved path, the options and a context to a plain loader function', async () => {
    const dir = await modelDirWith('a.gguf');
    const calls: unknown[] = [];
    const loader = new ModelLoader({ modelDir: dir }).register({
      name: 'a',
      path: 'a.gguf',
      options: { contextSize: 2048 },
      adapter: async (path, options, context) => {
        calls.push([path, options, context.attempt, context.modelName, context.signal.aborted]);
        return 1;
      },
    });
    await loader.load('a');
    expect(calls).toEqual([[join(dir, 'a.gguf'), { contextSize: 2048 }, 1, 'a', false]]);
  });

  it('keeps serving when a model fails: unhealthy for a required one, with the seed message on get', async () => {
    const dir = await modelDirWith('summariser.gguf', 'bns.gguf');
    const { adapter } = createCountingAdapter({
      failTimes: 1,
      error: () => new RuntimeError('CUDA out of memory'),
    });
    const loader = new ModelLoader({ modelDir: dir })
      .register({ name: 'summariser', path: 'summariser.gguf', adapter: adapter })
      .register({
        name: 'bns_check',
        path: 'bns.gguf',
        adapter: async () => 'ok',
        required: false,
      });
    const results = await loader.loadAll({ parallel: false });
    expect(results.summariser?.ok).toBe(false);
    expect(results.summariser?.error?.code).toBe('MODEL_LOAD_FAILED');
    expect(() => loader.get('summariser')).toThrowError(
      "Model 'summariser' is not available (status: failed).\nLoading failed with: RuntimeError: CUDA out of memory",
    );
    const health = loader.getHealthStatus();
    expect(health.status).toBe('unhealthy');
    expect(health.message).toBe('Required models not loaded: summariser');
    expect(health.errors.summariser).toEqual({
      code: 'MODEL_LOAD_FAILED',
      message: "Failed to load model 'summariser': RuntimeError: CUDA out of memory",
    });
    expect(loader.get('bns_check')).toBe('ok');
  });

  it('is degraded when only an optional model fails, and loading while a required one loads', async () => {
    const dir = await modelDirWith('summariser.gguf');
    const { adapter, stats } = createCountingAdapter();
    const loader = new ModelLoader({ modelDir: dir })
      .register({ name: 'summariser', path: 'summariser.gguf', adapter: adapter })
      .register({
        name: 'bns_check',
        path: 'missing.gguf',
        adapter: async () => 'x',
        required: false,
      });
    expect(loader.getHealthStatus().status).toBe('loading');
    let open!: () => void;
    stats.gate = new Promise<void>((resolve) => (open = resolve));
    const pending = loader.loadAll();
    await vi.waitFor(() => expect(stats.active).toBe(1), { interval: 1 });
    expect(loader.getHealthStatus()).toMatchObject({
      status: 'loading',
      message: 'Loading required models: summariser',
    });
    open();
    await pending;
    expect(loader.getHealthStatus()).toMatchObject({
      status: 'degraded',
      message: 'All required models loaded; optional models not loaded: bns_check',
      errors: {
        bns_check: {
          code: 'MODEL_FILE_NOT_FOUND',
          message: `Model file not found: missing.gguf (searched the model directory ${loader.modelDir})`,
        },
      },
    });
  });

  it('names the registered models when an unknown one is asked for', async () => {
    const loader = new ModelLoader({ modelDir: await makeDir() }).register({
      name: 'whisper',
      path: 'w',
      adapter: async () => 1,
    });
    const error = (() => {
      try {
        (loader as ModelRegistry).get('ocr');
      } catch (e) {
        return e;
      }
    })();
    expect(ModelLoaderError.hasCode(error, 'MODEL_NOT_REGISTERED')).toBe(true);
    expect((error as Error).message).toBe(
      "Model 'ocr' is not registered. Registered models: whisper",
    );
  });

  it('refuses duplicate names and invalid specs at registration', async () => {
    const loader = new ModelLoader({ modelDir: await makeDir() }).register({
      name: 'a',
      path: 'a',
      adapter: async () => 1,
    });
    expect(() => loader.register({ name: 'a', path: 'b', adapter: async () => 1 })).toThrowError(
      "Model 'a' is already registered",
    );
    expect(() =>
      loader.register({ name: 'b', path: 'b', adapter: async () => 1, attempts: 0 }),
    ).toThrowError("Model 'b': `attempts` must be an integer >= 1");
    expect(() =>
      loader.register({ name: 'c', path: 'c', adapter: async () => 1, checksum: 'sha256:abc' }),
    ).toThrowError("Invalid checksum for model 'c': a sha256 digest has 64 hex digits, got 3");
    expect(() => new ModelLoader({ modelDir: 'x', loadConcurrency: 0 })).toThrowError(
      '`loadConcurrency` must be an integer >= 1, got 0',
    );
  });

  it('fails at once when a model alone exceeds the memory budget, and never hangs when loaded models fill it', async () => {
    const dir = await modelDirWith('a.gguf', 'b.gguf', 'c.gguf');
    const loader = new ModelLoader({ modelDir: dir, memoryBudgetInBytes: 100 })
      .register({
        name: 'huge',
        path: 'a.gguf',
        adapter: async () => 1,
        memoryEstimateInBytes: 101,
      })
      .register({ name: 'a', path: 'b.gguf', adapter: async () => 2, memoryEstimateInBytes: 60 })
      .register({ name: 'b', path: 'c.gguf', adapter: async () => 3, memoryEstimateInBytes: 60 });
    const results = await loader.loadAll({ parallel: true });
    expect(results.huge?.error?.code).toBe('MODEL_INSUFFICIENT_MEMORY');
    expect(results.huge?.error?.message).toMatch(
      /^Model 'huge' needs about 0\.0 MiB .*its estimate alone exceeds the budget$/,
    );
    expect([results.a?.ok, results.b?.ok].sort()).toEqual([false, true]);
    expect(loader.getMemoryUsage().usedInBytes).toBe(60);
    await loader.unload(results.a?.ok ? 'a' : 'b');
    expect(loader.getMemoryUsage().usedInBytes).toBe(0);
    await expect(loader.load(results.a?.ok ? 'b' : 'a')).resolves.toBeTypeOf('number');
  });

  it('never runs more than loadConcurrency loads at once, and starts required models first', async () => {
    const names = ['o1', 'r1', 'o2', 'r2', 'o3', 'r3'];
    const dir = await modelDirWith(...names.map((name) => `${name}.gguf`));
    const { adapter, stats } = createCountingAdapter({ delayInMs: 10 });
    let loader = new ModelLoader({ modelDir: dir, loadConcurrency: 2 }) as ModelLoader;
    for (const name of names) {
      loader = loader.register({
        name,
        path: `${name}.gguf`,
        adapter: adapter,
        required: name.startsWith('r'),
      });
    }
    const starts = record(loader, 'loadStart');
    await loader.loadAll();
    expect(stats.maxActive).toBe(2);
    expect(starts.map((start) => start.name)).toEqual(['r1', 'r2', 'r3', 'o1', 'o2', 'o3']);
  });

  it('hot-swaps on reload: the old copy serves until the new one is ready, and a failed reload keeps it', async () => {
    const dir = await modelDirWith('m.gguf');
    const { adapter, stats } = createCountingAdapter({ delayInMs: 20 });
    const loader = new ModelLoader({ modelDir: dir }).register({
      name: 'm',
      path: 'm.gguf',
      adapter: adapter,
    });
    const first = await loader.load('m');
    let open!: () => void;
    stats.gate = new Promise<void>((resolve) => (open = resolve));
    const reloading = loader.reload('m');
    await vi.waitFor(() => expect(stats.active).toBe(1), { interval: 1 });
    expect(loader.get('m')).toBe(first);
    expect(loader.getModelInfo('m')).toMatchObject({ state: 'loaded', reloading: true });
    open();
    stats.gate = undefined;
    const second = await reloading;
    expect(second.id).toBe(2);
    expect(loader.get('m')).toBe(second);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(first.disposed).toBe(true);
    stats.failuresLeft = 1;
    await expect(loader.reload('m')).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED' });
    expect(loader.get('m')).toBe(second);
    expect(second.disposed).toBe(false);
    expect(loader.getHealthStatus().status).toBe('healthy');
    expect(loader.getModelInfo('m').lastError?.code).toBe('MODEL_LOAD_FAILED');
  });

  it('does not dispose a model while a lease holds it', async () => {
    const dir = await modelDirWith('m.gguf');
    const { adapter } = createCountingAdapter();
    const loader = new ModelLoader({ modelDir: dir }).register({
      name: 'm',
      path: 'm.gguf',
      adapter: adapter,
    });
    await loader.load('m');
    let release!: () => void;
    const held = loader.use('m', async (model) => {
      await new Promise<void>((resolve) => (release = resolve));
      return model.disposed;
    });
    const unloading = loader.unload('m');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(loader.getModelInfo('m').state).toBe('unloaded');
    expect(() => loader.get('m')).toThrowError("Model 'm' is not available (status: unloaded).");
    release();
    expect(await held).toBe(false);
    await unloading;
  });

  it('aborts a load in progress on unload, and disposes everything on close', async () => {
    const dir = await modelDirWith('a.gguf', 'b.gguf');
    const slow = createCountingAdapter({ delayInMs: 1_000 });
    const quick = createCountingAdapter();
    const loader = new ModelLoader({ modelDir: dir })
      .register({ name: 'slow', path: 'a.gguf', adapter: slow.adapter })
      .register({ name: 'quick', path: 'b.gguf', adapter: quick.adapter });
    await loader.load('quick');
    const loading = loader.load('slow');
    await vi.waitFor(() => expect(slow.stats.active).toBe(1), { interval: 1 });
    await loader.unload('slow');
    await expect(loading).rejects.toMatchObject({ code: 'MODEL_LOAD_ABORTED' });
    expect(loader.getModelInfo('slow').state).toBe('unloaded');
    await loader.close();
    expect(quick.stats.disposed).toEqual([1]);
    await expect(loader.load('quick')).rejects.toMatchObject({
      code: 'MODEL_LOAD_ABORTED',
      message: 'The model loader is closed',
    });
  });

  it('emits state changes in order', async () => {
    const dir = await modelDirWith('m.gguf');
    const loader = new ModelLoader({ modelDir: dir }).register({
      name: 'm',
      path: 'm.gguf',
      adapter: async () => 1,
    });
    const changes = record(loader, 'stateChange');
    const ends = record(loader, 'loadEnd');
    await loader.load('m');
    await loader.unload('m');
    expect(changes.map((change) => `${change.from}->${change.to}`)).toEqual([
      'pending->validating',
      'validating->loading',
      'loading->loaded',
      'loaded->unloaded',
    ]);
    expect(ends).toMatchObject([{ name: 'm', ok: true, attempts: 1, reload: false }]);
  });
});
