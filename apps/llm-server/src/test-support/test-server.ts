import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGgufAdapter,
  type GgufLoadOptions,
  type GgufModelHandle,
} from '@model-loader/adapter-gguf';
import type { ModelAdapter } from '@model-loader/core';
import { createBrokenGguf, type TinyGgufOptions, writeTinyGguf } from '@model-loader/fixtures';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach } from 'vitest';
import { buildApp } from '../app.js';
import { loadLlmServerConfig } from '../config/llm-server-config.js';

/** One CPU-only, single-thread adapter per test file (many threads on 2 shared cores is very slow). */
export const testAdapter = createGgufAdapter({ gpu: false, threadCount: 1 });

/** A model is slower to generate with these: long generations for abort and queue tests. */
export const slowModel: TinyGgufOptions = {
  embeddingLength: 256,
  headCount: 4,
  headCountKv: 4,
  feedForwardLength: 1024,
  layerCount: 4,
};

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  const llama = await testAdapter.getLlama();
  await llama.dispose();
});

/** A model of the test models file. */
export interface TestModelEntry {
  readonly name: string;
  readonly required?: boolean;
  /** The file: a tiny model, or bytes of a broken one. */
  readonly file?: TinyGgufOptions | 'broken';
  readonly options?: GgufLoadOptions;
  readonly limits?: Record<string, number>;
  /** More fields of the models-file entry (for example `load`, `keepAlive`). */
  readonly entry?: Record<string, unknown>;
}

/** Options of {@link startTestApp}. */
export interface TestAppOptions {
  readonly models?: readonly TestModelEntry[];
  readonly env?: Record<string, string>;
  readonly adapter?: ModelAdapter<GgufModelHandle, GgufLoadOptions>;
  /** Wait for the models to load. @default true */
  readonly load?: boolean;
  /**
   * Where the models run. These HTTP tests look inside the handle (its sequence pool), so they load
   * in process; model-processes.test.ts runs the server's default, a process per model.
   * @default 'none'
   */
  readonly isolation?: 'process' | 'none';
  /** More top-level fields of the models file (for example `memoryBudgetInBytes`). */
  readonly file?: Record<string, unknown>;
}

const defaultModels: TestModelEntry[] = [
  { name: 'summariser', required: true, options: { contextSize: 512, parallelSequences: 2 } },
  { name: 'bns_check', required: false, options: { contextSize: 512 } },
];

/** Writes the models and a models file into a temporary folder and builds the app on them. */
export async function startTestApp(options: TestAppOptions = {}): Promise<FastifyInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-server-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const models = options.models ?? defaultModels;
  for (const model of models) {
    const path = join(dir, `${model.name}.gguf`);
    if (model.file === 'broken') await writeFile(path, createBrokenGguf('truncated-tensor-data'));
    else await writeTinyGguf(path, model.file ?? {});
  }
  const file = {
    modelDir: '.',
    isolation: options.isolation ?? 'none',
    ...options.file,
    models: models.map((model) => ({
      name: model.name,
      adapter: 'gguf',
      path: `${model.name}.gguf`,
      required: model.required ?? true,
      options: { threadCount: 1, ...model.options },
      ...(model.limits ? { limits: model.limits } : {}),
      ...model.entry,
    })),
  };
  await writeFile(join(dir, 'models.json'), JSON.stringify(file));
  const config = await loadLlmServerConfig({
    cwd: dir,
    env: { MODELS_FILE: 'models.json', LLM_GPU: 'false', LLM_THREADS: '1', ...options.env },
  });
  const app = await buildApp(config, { logger: false, adapter: options.adapter ?? testAdapter });
  cleanups.push(() => app.close());
  if (options.load ?? true) await app.models.loadInBackground();
  return app;
}

/** Waits until `condition` holds. */
export async function waitFor(condition: () => boolean, timeoutInMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutInMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The summariser's handle, to look at its sequence pool. */
export function handleOf(app: FastifyInstance, name = 'summariser'): GgufModelHandle {
  return app.models.loader.get(name) as GgufModelHandle;
}
