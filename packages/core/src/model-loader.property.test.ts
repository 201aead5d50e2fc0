import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelLoaderError } from './errors/model-loader-error.js';
import { ModelLoader } from './model-loader.js';
import type { ModelAdapter } from './spec/model-adapter.js';
import { ggufHeaderBytes, useTempDirs } from './test-support/temp-dir.js';

const makeDir = useTempDirs();

interface Copy {
  readonly id: number;
  disposals: number;
}

type Operation = 'load' | 'unload' | 'reload' | 'get' | 'use' | 'fail-next';

/** An adapter that records every copy it makes and how often each was disposed. */
function trackingAdapter() {
  const copies: Copy[] = [];
  const control = { failNext: false, leaseViolations: 0 };
  const adapter: ModelAdapter<Copy> = {
    kind: 'file',
    async load(_path, _options, context) {
      await new Promise((resolve) => setTimeout(resolve, copies.length % 3));
      context.signal.throwIfAborted();
      if (control.failNext) {
        control.failNext = false;
        throw new Error('transient failure');
      }
      const copy = { id: copies.length + 1, disposals: 0 };
      copies.push(copy);
      return copy;
    },
    dispose(copy) {
      copy.disposals++;
    },
  };
  return { adapter, copies, control };
}

async function run(
  loader: ModelLoader<{ m: Copy }>,
  control: { failNext: boolean; leaseViolations: number },
  op: Operation,
) {
  switch (op) {
    case 'load':
      return loader.load('m');
    case 'unload':
      return loader.unload('m');
    case 'reload':
      return loader.reload('m');
    case 'fail-next':
      control.failNext = true;
      return;
    case 'get': {
      const state = loader.getModelInfo('m').state;
      try {
        const copy = loader.get('m');
        expect(state).toBe('loaded');
        expect(copy.disposals).toBe(0);
      } catch (error) {
        expect(ModelLoaderError.hasCode(error, 'MODEL_NOT_AVAILABLE')).toBe(true);
        expect(state).not.toBe('loaded');
      }
      return;
    }
    case 'use':
      return loader.use('m', async (copy) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (copy.disposals > 0) control.leaseViolations++;
      });
  }
}

function assertConsistent(loader: ModelLoader<{ m: Copy }>, copies: readonly Copy[]): void {
  const info = loader.getModelInfo('m');
  if (info.state === 'loaded') {
    const serving = loader.get('m');
    expect(serving.disposals).toBe(0);
    // Exactly the serving copy is alive once everything settled.
    expect(copies.filter((copy) => copy.disposals === 0)).toEqual([serving]);
  } else {
    expect(() => loader.get('m')).toThrowError(/is not available/);
    expect(copies.every((copy) => copy.disposals === 1)).toBe(true);
  }
  expect(copies.every((copy) => copy.disposals <= 1)).toBe(true);
  expect(info.activeLeases).toBe(0);
}

const operation = fc.constantFrom<Operation>('load', 'unload', 'reload', 'get', 'use', 'fail-next');

describe('ModelLoader state machine (property)', () => {
  it('any sequence of load/unload/reload/get/use, awaited or concurrent, leaves a consistent state and never disposes a leased model', async () => {
    const dir = await makeDir();
    await writeFile(join(dir, 'm.gguf'), ggufHeaderBytes());
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ op: operation, concurrent: fc.boolean() }), {
          minLength: 1,
          maxLength: 25,
        }),
        async (steps) => {
          const { adapter, copies, control } = trackingAdapter();
          const loader = new ModelLoader({ modelDir: dir }).register({
            name: 'm',
            path: 'm.gguf',
            adapter: adapter,
          });
          const inFlight: Promise<unknown>[] = [];
          for (const step of steps) {
            const promise = run(loader, control, step.op).catch((error: unknown) => {
              if (!ModelLoaderError.isInstance(error)) throw error;
            });
            if (step.concurrent) inFlight.push(promise);
            else await promise;
          }
          await Promise.all(inFlight);
          assertConsistent(loader, copies);
          expect(control.leaseViolations).toBe(0);
          await loader.close();
          expect(copies.every((copy) => copy.disposals === 1)).toBe(true);
          expect(loader.getMemoryUsage().usedInBytes).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('survives 32 concurrent callers doing load/unload/reload/use on one model, within a time bound', async () => {
    const dir = await makeDir();
    await writeFile(join(dir, 'm.gguf'), ggufHeaderBytes());
    const { adapter, copies, control } = trackingAdapter();
    const loader = new ModelLoader({ modelDir: dir, memoryBudgetInBytes: 1_000 }).register({
      name: 'm',
      path: 'm.gguf',
      adapter: adapter,
      memoryEstimateInBytes: 400,
    });
    const ops: Operation[] = ['load', 'unload', 'reload', 'use'];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async (_, caller) => {
        for (let i = 0; i < 20; i++) {
          await run(loader, control, ops[(caller + i) % ops.length]!).catch((error: unknown) => {
            if (!ModelLoaderError.isInstance(error)) throw error;
          });
        }
      }),
    );
    expect(performance.now() - started).toBeLessThan(15_000);
    assertConsistent(loader, copies);
    expect(control.leaseViolations).toBe(0);
    // A reload holds two copies at most: the serving one and the new one.
    expect(loader.getMemoryUsage().usedInBytes).toBeLessThanOrEqual(800);
    await loader.close();
    expect(copies.every((copy) => copy.disposals === 1)).toBe(true);
    expect(loader.getMemoryUsage().usedInBytes).toBe(0);
  }, 20_000);
});
