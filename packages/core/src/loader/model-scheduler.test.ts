import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { ModelLoaderEvents } from '../events/model-loader-events.js';
import { ModelLoader } from '../model-loader.js';
import type { ModelAdapter } from '../spec/model-adapter.js';
import { createCountingAdapter, type FakeModel } from '../test-support/controllable-loader.js';
import { ggufHeaderBytes, useTempDirs } from '../test-support/temp-dir.js';

const makeDir = useTempDirs();

async function modelDirWith(...names: string[]): Promise<string> {
  const dir = await makeDir();
  await Promise.all(names.map((name) => writeFile(join(dir, `${name}.gguf`), ggufHeaderBytes())));
  return dir;
}

/** A loader of on-demand models of 60 bytes each in a 130-byte budget: two fit at a time. */
async function twoOfThree(keepAlive: number | string = 'forever') {
  const names = ['a', 'b', 'c'];
  const dir = await modelDirWith(...names);
  const { adapter, stats } = createCountingAdapter();
  let loader = new ModelLoader({
    modelDir: dir,
    memoryBudgetInBytes: 130,
    validateChecksums: false,
    leaseWaitInMs: 5_000,
  }) as ModelLoader;
  for (const name of names) {
    loader = loader.register({
      name,
      path: `${name}.gguf`,
      adapter,
      memoryEstimateInBytes: 60,
      load: 'on-demand',
      keepAlive,
    });
  }
  const scheduled: ModelLoaderEvents['scheduled'][] = [];
  loader.on('scheduled', (event) => scheduled.push(event));
  return { loader, stats, scheduled, names };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduler: on-demand loading', () => {
  it('checks on-demand models at start without loading them, and counts them as ready', async () => {
    const { loader, stats } = await twoOfThree();
    const results = await loader.loadAll();
    expect(Object.values(results).map((result) => [result.ok, result.state])).toEqual([
      [true, 'idle'],
      [true, 'idle'],
      [true, 'idle'],
    ]);
    expect(stats.loads).toBe(0);
    expect(loader.getHealthStatus().status).toBe('healthy');
    expect(loader.getModelInfo('a')).toMatchObject({
      state: 'idle',
      load: 'on-demand',
      evictable: true,
      sizeInBytes: expect.any(Number),
      memoryEstimateInBytes: 60,
    });
    await loader.close();
  });

  it('shares one load among concurrent callers and answers each with the model', async () => {
    const { loader, stats, scheduled } = await twoOfThree();
    await loader.loadAll();
    const ids = await Promise.all(
      Array.from({ length: 5 }, () => loader.use('a', (model) => (model as FakeModel).id)),
    );
    expect(new Set(ids).size).toBe(1);
    expect(stats.loads).toBe(1);
    expect(scheduled).toEqual([{ name: 'a', action: 'load', reason: 'on-demand' }]);
    expect(loader.getModelInfo('a').state).toBe('loaded');
    await loader.close();
  });

  it('answers every waiter of a failing load with its coded error, and a later call loads again', async () => {
    const dir = await modelDirWith('m');
    const { adapter, stats } = createCountingAdapter({ failTimes: 1 });
    const loader = new ModelLoader({ modelDir: dir, validateChecksums: false }).register({
      name: 'm',
      path: 'm.gguf',
      adapter,
      load: 'on-demand',
    });
    await loader.loadAll();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => loader.use('m', (model) => model.id)),
    );
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(ModelLoaderError.hasCode(reason, 'MODEL_LOAD_FAILED')).toBe(true);
      expect((reason as Error).message).toContain('CUDA out of memory');
    }
    expect(loader.getModelInfo('m').state).toBe('failed');
    await expect(loader.use('m', (model) => model.id)).resolves.toBe(1);
    expect(stats.loads).toBe(1);
    await loader.close();
  });
});

describe('scheduler: the start-up check is not repeated for unchanged files', () => {
  it('reuses the preflight of an unchanged on-demand model, and runs it again once the file changes', async () => {
    const dir = await modelDirWith('m');
    let inspections = 0;
    const adapter: ModelAdapter<string, unknown> = {
      kind: 'file',
      inspect: async () => {
        inspections++;
        return { format: 'gguf', details: {} };
      },
      estimateMemory: async () => 10,
      load: async () => 'm',
    };
    const loader = new ModelLoader({ modelDir: dir, validateChecksums: false }).register({
      name: 'm',
      path: 'm.gguf',
      adapter,
      load: 'on-demand',
      keepAlive: 0,
    });
    await loader.loadAll();
    await loader.use('m', () => {});
    expect(inspections).toBe(1);
    await vi.waitFor(() => expect(loader.getModelInfo('m').state).toBe('idle'));
    await writeFile(join(dir, 'm.gguf'), ggufHeaderBytes(64));
    await loader.use('m', () => {});
    expect(inspections).toBe(2);
    await loader.close();
  });
});

describe('scheduler: keep-alive', () => {
  async function singleModel(keepAlive: number | string) {
    const dir = await modelDirWith('m');
    const { adapter, stats } = createCountingAdapter();
    const loader = new ModelLoader({ modelDir: dir, validateChecksums: false }).register({
      name: 'm',
      path: 'm.gguf',
      adapter,
      load: 'on-demand',
      keepAlive,
    });
    await loader.loadAll();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    return { loader, stats };
  }

  it('keepAlive 0 unloads right after each use, and the next use loads again', async () => {
    const { loader, stats } = await singleModel(0);
    await loader.use('m', () => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(loader.getModelInfo('m').state).toBe('idle');
    expect(stats.disposed).toEqual([1]);
    await loader.use('m', () => {});
    expect(stats.loads).toBe(2);
    await loader.close();
  });

  it("keepAlive '1s' unloads after one idle second, and a use in between restarts the clock", async () => {
    const { loader, stats } = await singleModel('1s');
    await loader.use('m', () => {});
    const info = loader.getModelInfo('m');
    expect(info.keepAliveInMs).toBe(1000);
    expect(Date.parse(info.expiresAt!) - Date.now()).toBe(1000);
    await vi.advanceTimersByTimeAsync(900);
    await loader.use('m', () => {});
    await vi.advanceTimersByTimeAsync(900);
    expect(loader.getModelInfo('m').state).toBe('loaded');
    await vi.advanceTimersByTimeAsync(100);
    expect(loader.getModelInfo('m').state).toBe('idle');
    expect(loader.getModelInfo('m').expiresAt).toBeUndefined();
    expect(stats.disposed).toEqual([1]);
    await loader.close();
  });

  it('a lease holds the model past its keep-alive; it unloads when the lease ends', async () => {
    const { loader } = await singleModel(0);
    let release!: () => void;
    const held = loader.use('m', () => new Promise<void>((resolve) => (release = resolve)));
    await vi.waitFor(() => expect(loader.getModelInfo('m').activeLeases).toBe(1));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(loader.getModelInfo('m')).toMatchObject({ state: 'loaded', activeLeases: 1 });
    release();
    await held;
    await vi.advanceTimersByTimeAsync(0);
    expect(loader.getModelInfo('m').state).toBe('idle');
    await loader.close();
  });

  it("'forever' never unloads; a per-call keepAlive replaces the model's", async () => {
    const { loader, stats } = await singleModel('forever');
    await loader.use('m', () => {});
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(loader.getModelInfo('m')).toMatchObject({ state: 'loaded' });
    expect(loader.getModelInfo('m').expiresAt).toBeUndefined();
    await loader.use('m', () => {}, { keepAlive: '2s' });
    await vi.advanceTimersByTimeAsync(1999);
    expect(loader.getModelInfo('m').state).toBe('loaded');
    await vi.advanceTimersByTimeAsync(1);
    expect(loader.getModelInfo('m').state).toBe('idle');
    expect(stats.disposed).toEqual([1]);
    await expect(loader.use('m', () => {}, { keepAlive: '5 minutes' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await loader.close();
  });
});

describe('scheduler: eviction within the memory budget', () => {
  it('evicts the least recently used idle model to make room, and reports why', async () => {
    const { loader, scheduled } = await twoOfThree();
    await loader.loadAll();
    await loader.use('a', () => {});
    await loader.use('b', () => {});
    await loader.use('a', () => {});
    await loader.use('c', () => {});
    expect(['a', 'b', 'c'].map((name) => loader.getModelInfo(name).state)).toEqual([
      'loaded',
      'idle',
      'loaded',
    ]);
    expect(scheduled).toContainEqual({
      name: 'b',
      action: 'unload',
      reason: 'evicted',
      forModel: 'c',
    });
    expect(loader.getMemoryUsage().usedInBytes).toBe(120);
    await loader.close();
  });

  it('never evicts a leased model: a load waits for the lease, then fails only when nothing can give way', async () => {
    const { loader } = await twoOfThree();
    await loader.loadAll();
    let releaseA!: () => void;
    let releaseB!: () => void;
    const heldA = loader.use('a', () => new Promise<void>((resolve) => (releaseA = resolve)));
    const heldB = loader.use('b', () => new Promise<void>((resolve) => (releaseB = resolve)));
    await vi.waitFor(() => expect(loader.getModelInfo('b').activeLeases).toBe(1));
    const waiting = loader.use('c', (model) => (model as FakeModel).id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(loader.getModelInfo('a')).toMatchObject({ state: 'loaded', activeLeases: 1 });
    expect(loader.getModelInfo('b')).toMatchObject({ state: 'loaded', activeLeases: 1 });
    releaseB();
    await heldB;
    await expect(waiting).resolves.toBeTypeOf('number');
    expect(loader.getModelInfo('b').state).toBe('idle');
    releaseA();
    await heldA;
    await loader.close();
  });

  it('fails with MODEL_INSUFFICIENT_MEMORY when only models that may not be evicted hold the budget', async () => {
    const dir = await modelDirWith('s', 'd');
    const { adapter } = createCountingAdapter();
    const loader = new ModelLoader({
      modelDir: dir,
      memoryBudgetInBytes: 100,
      validateChecksums: false,
    })
      .register({ name: 's', path: 's.gguf', adapter, memoryEstimateInBytes: 60 })
      .register({
        name: 'd',
        path: 'd.gguf',
        adapter,
        memoryEstimateInBytes: 60,
        load: 'on-demand',
      });
    await loader.loadAll();
    await expect(loader.use('d', () => {})).rejects.toMatchObject({
      code: 'MODEL_INSUFFICIENT_MEMORY',
    });
    expect(loader.getModelInfo('s').state).toBe('loaded');
    await loader.close();
  });

  it('keeps every call served and the budget consistent over random request sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            model: fc.constantFrom('a', 'b', 'c'),
            holdInMs: fc.integer({ min: 0, max: 3 }),
            clients: fc.integer({ min: 1, max: 3 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (requests) => {
          const { loader, stats, scheduled } = await twoOfThree('50ms');
          await loader.loadAll();
          const usedDisposed: number[] = [];
          for (const request of requests) {
            await Promise.all(
              Array.from({ length: request.clients }, () =>
                loader.use(request.model, async (model) => {
                  const fake = model as FakeModel;
                  await new Promise((resolve) => setTimeout(resolve, request.holdInMs));
                  if (fake.disposed) usedDisposed.push(fake.id);
                }),
              ),
            );
            const loaded = ['a', 'b', 'c'].filter(
              (name) => loader.getModelInfo(name).state === 'loaded',
            );
            expect(loaded.length).toBeLessThanOrEqual(2);
            expect(loader.getMemoryUsage().usedInBytes).toBe(60 * loaded.length);
          }
          expect(usedDisposed).toEqual([]);
          const evictions = scheduled.filter((event) => event.reason === 'evicted').length;
          const expiries = scheduled.filter((event) => event.reason === 'keep-alive').length;
          expect(stats.disposed.length).toBe(evictions + expiries);
          expect(new Set(stats.disposed).size).toBe(stats.disposed.length);
          await loader.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('scheduler: adapters without a memory estimate', () => {
  it('an adapter with no estimate takes no budget and is never refused', async () => {
    const dir = await modelDirWith('x');
    const adapter: ModelAdapter<string, unknown> = { kind: 'file', load: async () => 'x' };
    const loader = new ModelLoader({
      modelDir: dir,
      memoryBudgetInBytes: 1,
      validateChecksums: false,
    }).register({ name: 'x', path: 'x.gguf', adapter, load: 'on-demand' });
    await loader.loadAll();
    await expect(loader.use('x', (model) => model)).resolves.toBe('x');
    await loader.close();
  });
});
