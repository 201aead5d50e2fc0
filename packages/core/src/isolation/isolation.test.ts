import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { ModelLoader } from '../model-loader.js';
import { silentLogger } from '../spec/logger.js';
import type { ModelAdapter } from '../spec/model-adapter.js';
import { useTempDirs } from '../test-support/temp-dir.js';
import { modelProcessOf } from './create-remote-handle.js';
import { isolateAdapter } from './isolate-adapter.js';

// The test adapter is plain JavaScript, imported by the model processes by its file URL.
const testAdapterModule = new URL('../test-support/process-test-adapter.mjs', import.meta.url);
const { createProcessTestAdapter, processTestEntry } = (await import(testAdapterModule.href)) as {
  createProcessTestAdapter: (settings?: unknown) => ModelAdapter<TestHandle, TestOptions>;
  processTestEntry: { module: string; exportName: string; streamingMethods: string[] };
};

interface TestOptions {
  readonly hangInEstimate?: boolean;
}

interface TestHandle {
  readonly label: string;
  readonly pid: number;
  readonly nested: { notCopied: boolean };
  echo<T>(value: T): Promise<T>;
  describeBytes(
    bytes: Uint8Array,
  ): Promise<{ isUint8Array: boolean; length: number; first: number }>;
  fail(): Promise<never>;
  waitForAbort(options: { signal: AbortSignal; blockFirstInMs?: number }): Promise<void>;
  report(onValue: (value: string) => void): Promise<string>;
  stream(
    count: number,
    options?: { signal?: AbortSignal; delayInMs?: number },
  ): AsyncIterable<string> & { result: Promise<{ emitted: number }> };
  crash(signal: NodeJS.Signals): Promise<never>;
  block(milliseconds: number): Promise<string>;
  isDisposed(): Promise<boolean>;
  dispose(): Promise<void>;
}

const adapter = (
  settings: Record<string, unknown> = {},
): ModelAdapter<TestHandle, TestOptions> => ({
  ...createProcessTestAdapter(settings),
  processEntry: { ...processTestEntry, settings },
});

const tempDir = useTempDirs();
const loaders: ModelLoader<Record<string, unknown>, 'process' | 'none'>[] = [];
afterEach(async () => {
  await Promise.all(loaders.splice(0).map((loader) => loader.close()));
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(check: () => T | undefined | false, timeoutInMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function setup(
  content = 'weights',
  processes: ConstructorParameters<typeof ModelLoader>[0]['processes'] = {},
  settings: Record<string, unknown> = { label: 'isolated' },
) {
  const dir = await tempDir();
  await writeFile(join(dir, 'model.bin'), content);
  const loader = new ModelLoader({
    modelDir: dir,
    isolation: 'process',
    processes: { maxRestarts: 2, ...processes },
    backoff: { initialDelayInMs: 10 },
  }).register({ name: 'm', path: 'model.bin', adapter: adapter(settings) });
  loaders.push(loader as never);
  return { dir, loader };
}

describe('isolated models (real child processes)', () => {
  it('loads in a child and proxies methods, primitive values, buffers, errors, callbacks', async () => {
    const { loader } = await setup();
    const model = await loader.load('m');
    expect(model.pid).not.toBe(process.pid);
    expect(isAlive(model.pid)).toBe(true);
    expect(model.label).toBe('isolated');
    expect('nested' in model).toBe(false);
    expect(await model.echo({ a: [1, 2], b: 'x' })).toEqual({ a: [1, 2], b: 'x' });
    expect(await model.describeBytes(new Uint8Array([7, 8, 9]))).toEqual({
      isUint8Array: true,
      length: 3,
      first: 7,
    });
    await expect(model.fail()).rejects.toMatchObject({
      name: 'RefusedError',
      message: 'the model refused',
    });
    const seen: string[] = [];
    expect(await model.report((value) => seen.push(value))).toBe('reported');
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['first', 'second']);
    const info = loader.getModelInfo('m');
    expect(info).toMatchObject({ isolation: 'process', restarts: 0, state: 'loaded' });
    expect(info.process?.pid).toBe(model.pid);
    expect(info.process?.rssInBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(info.memoryEstimateInBytes).toBe('weights'.length);
  });

  it('streams chunks and the final result; breaking out stops the stream', async () => {
    const { loader } = await setup();
    const model = await loader.load('m');
    const chunks: string[] = [];
    const stream = model.stream(3);
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toEqual(['chunk 0', 'chunk 1', 'chunk 2']);
    expect(await stream.result).toEqual({ emitted: 3 });

    const long = model.stream(1000, { delayInMs: 5 });
    for await (const _chunk of long) break;
    expect(await model.echo('still serving')).toBe('still serving');
  });

  it('an AbortSignal in the parent aborts the call in the child with the same reason', async () => {
    const { loader } = await setup();
    const model = await loader.load('m');
    const controller = new AbortController();
    const waiting = model.waitForAbort({ signal: controller.signal });
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });

  it('a model killed by SIGKILL or SIGSEGV fails its calls with MODEL_PROCESS_EXITED, then restarts', async () => {
    const { loader } = await setup();
    let model = await loader.load('m');
    for (const signal of ['SIGKILL', 'SIGSEGV'] as const) {
      const firstPid = model.pid;
      const inFlight = model.stream(10_000, { delayInMs: 5 });
      const iterator = inFlight[Symbol.asyncIterator]();
      await iterator.next();
      process.kill(firstPid, signal);
      const error = await iterator.next().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(ModelLoaderError.hasCode(error, 'MODEL_PROCESS_EXITED')).toBe(true);
      expect((error as Error).message).toContain(`signal ${signal}`);
      await waitFor(
        () => loader.getModelInfo('m').state === 'loaded' && loader.get('m').pid !== firstPid,
      );
      model = loader.get('m');
      expect(isAlive(firstPid)).toBe(false);
    }
    const info = loader.getModelInfo('m');
    expect(info.restarts).toBe(2);
    expect(info.lastExit?.code).toBe('MODEL_PROCESS_EXITED');
    expect(info.lastExit?.message).toContain('SIGSEGV');
  });

  it('stays failed after its restart budget, until a load by hand', async () => {
    const { dir, loader } = await setup('weights', { maxRestarts: 1 });
    const model = await loader.load('m');
    const states: string[] = [];
    loader.on('stateChange', (event) => states.push(event.to));
    // The restart reads the file again: make it crash at load, so the budget is spent.
    await writeFile(join(dir, 'model.bin'), 'crash-on-load');
    process.kill(model.pid, 'SIGKILL');
    await waitFor(() => states.filter((state) => state === 'failed').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const info = loader.getModelInfo('m');
    expect(info.state).toBe('failed');
    expect(info.restarts).toBe(1);
    expect(info.lastError?.code).toBe('MODEL_PROCESS_EXITED');
    expect(info.lastError?.message).toContain('SIGSEGV');
    expect(loader.getHealthStatus().status).toBe('unhealthy');
    await writeFile(join(dir, 'model.bin'), 'fixed');
    await loader.load('m');
    expect(loader.getModelInfo('m').state).toBe('loaded');
  });

  it('a native abort at load fails the load with MODEL_PROCESS_EXITED and the parent lives on', async () => {
    const { loader } = await setup('abort-on-load', { maxRestarts: 0 });
    const error = await loader.load('m').catch((thrown: unknown) => thrown);
    expect(ModelLoaderError.hasCode(error, 'MODEL_PROCESS_EXITED')).toBe(true);
    expect((error as Error).message).toContain('SIGABRT');
    expect(loader.getModelInfo('m').state).toBe('failed');
  });

  it('kills a load that hangs when its timeout passes', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'model.bin'), 'hang-on-load');
    const loader = new ModelLoader({ modelDir: dir, isolation: 'process' }).register({
      name: 'm',
      path: 'model.bin',
      adapter: adapter(),
      loadTimeoutInMs: 1500,
    });
    loaders.push(loader as never);
    const pids: number[] = [];
    const error = await loader.load('m').catch((thrown: unknown) => thrown);
    expect(ModelLoaderError.hasCode(error, 'MODEL_LOAD_TIMEOUT')).toBe(true);
    expect(pids).toEqual([]);
  });

  it('kills a process that ignores the abort of its call (busy is not hung until then)', async () => {
    const { loader } = await setup('weights', {
      heartbeatIntervalInMs: 100,
      unresponsiveAfterInMs: 1000,
      maxRestarts: 0,
    });
    const model = await loader.load('m');
    // Busy in a call: no pings needed, until the call is aborted and the child does not stop.
    expect(await model.block(2000)).toBe('unblocked');
    const controller = new AbortController();
    const blocked = model
      .waitForAbort({ signal: controller.signal, blockFirstInMs: 60_000 })
      .catch((thrown: unknown) => thrown);
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    const error = await blocked;
    expect(ModelLoaderError.hasCode(error, 'MODEL_PROCESS_EXITED')).toBe(true);
    expect((error as Error).message).toContain('did not stop an aborted call within 1000 ms');
    await waitFor(() => !isAlive(model.pid));
    expect(loader.getModelInfo('m').state).toBe('failed');
  });

  it('kills an estimateMemory that never returns', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'model.bin'), 'weights');
    const loader = new ModelLoader({
      modelDir: dir,
      isolation: 'process',
      processes: { estimateTimeoutInMs: 500, killGraceInMs: 200 },
    }).register({
      name: 'm',
      path: 'model.bin',
      adapter: adapter(),
      options: { hangInEstimate: true },
    });
    loaders.push(loader as never);
    const error = await loader.load('m').catch((thrown: unknown) => thrown);
    expect(ModelLoaderError.hasCode(error, 'MODEL_PROCESS_EXITED')).toBe(true);
    expect((error as Error).message).toContain('estimateMemory ran longer than 500 ms');
  });

  it("keeps the adapter's name and spec version and forwards inspect's result to estimateMemory", async () => {
    const dir = await tempDir();
    const path = join(dir, 'model.bin');
    await writeFile(path, 'weights');
    const isolated = isolateAdapter(adapter({ factor: 2 }), {
      modelName: 'm',
      logger: silentLogger,
      spareIdleInMs: 1,
    });
    expect([isolated.name, isolated.specVersion]).toEqual(['process-test', 2]);
    const inspection = { format: 'test', details: { sizeInBytes: 1000 } };
    expect(await isolated.estimateMemory?.(path, {}, inspection)).toBe(2000);
    expect(await isolated.estimateMemory?.(path, {})).toBe('weights'.length * 2);
  });

  it('unload and close end the process', async () => {
    const { loader } = await setup();
    const first = await loader.load('m');
    await loader.unload('m');
    expect(isAlive(first.pid)).toBe(false);
    const second = await loader.load('m');
    const child = modelProcessOf(second);
    expect(child?.alive).toBe(true);
    await loader.close();
    expect(isAlive(second.pid)).toBe(false);
    expect(loader.getModelInfo('m').restarts).toBe(0);
  });

  it('refuses process isolation for an adapter without processEntry', async () => {
    const dir = await tempDir();
    const loader = new ModelLoader({ modelDir: dir, isolation: 'process' });
    expect(() => loader.register({ name: 'fn', path: 'x.bin', adapter: async () => ({}) })).toThrow(
      /processEntry/,
    );
    // The spec can still choose the engine's process.
    expect(() =>
      loader.register({ name: 'fn', path: 'x.bin', adapter: async () => ({}), isolation: 'none' }),
    ).not.toThrow();
    await loader.close();
  });
});
