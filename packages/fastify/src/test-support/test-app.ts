import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LoadContext } from '@model-loader/core';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { afterEach } from 'vitest';
import { modelLoaderPlugin } from '../model-loader-plugin.js';
import type { ModelLoaderPluginOptions } from '../plugin-options.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Bytes that sniff as GGUF v3 (header and a little padding). */
export function ggufBytes(sizeInBytes = 64): Buffer {
  const bytes = Buffer.alloc(sizeInBytes, 7);
  bytes.write('GGUF', 0, 'latin1');
  bytes.writeUInt32LE(3, 4);
  return bytes;
}

/** A temporary model directory with the given files (removed after the test). */
export async function createModelDir(files: Record<string, Buffer | string> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'model-loader-fastify-'));
  await chmod(root, 0o755);
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const dir = join(root, 'models');
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** A model made by the test loaders. */
export interface TestModel {
  readonly id: number;
  readonly path: string;
  disposed: boolean;
}

/**
 * A plain loader function (no adapter) that records its calls, and a gate: while `hold()` is in
 * force, loads wait (honouring their abort signal) until `release()`.
 */
export function createTestLoader(options: { fail?: () => Error | undefined } = {}) {
  let nextId = 0;
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  const load = async (
    path: string,
    _options: unknown,
    context: LoadContext,
  ): Promise<TestModel> => {
    calls.push(path);
    signals.push(context.signal);
    if (gate) {
      const waiting = gate.promise;
      await new Promise<void>((resolve, reject) => {
        waiting.then(resolve);
        context.signal.addEventListener('abort', () => reject(context.signal.reason), {
          once: true,
        });
      });
    }
    const error = options.fail?.();
    if (error) throw error;
    nextId++;
    return { id: nextId, path, disposed: false };
  };
  return {
    load,
    calls,
    signals,
    hold() {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    release() {
      gate?.open();
      gate = undefined;
    },
  };
}

/** Registers the plugin on a new app (closed after the test) and waits for it to be ready. */
export async function buildApp(
  options: ModelLoaderPluginOptions,
  fastifyOptions: FastifyServerOptions = {},
  routes?: (app: FastifyInstance) => void,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...fastifyOptions });
  cleanups.push(() => app.close());
  await app.register(modelLoaderPlugin, { metrics: { defaultMetrics: false }, ...options });
  routes?.(app);
  await app.ready();
  return app;
}

/** A promise and its resolve function. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
