import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { ADAPTER_SPEC_VERSION } from '../adapter-kit/adapter-spec-version.js';
import type { ModelAdapter } from '../spec/model-adapter.js';
import { testModelAdapter } from './test-model-adapter.js';

const disposed: string[] = [];

/** A JSON "model" adapter: proves the shared suite on an adapter without native code. */
const jsonFolderAdapter: ModelAdapter<{ labels: string[]; labelCount: number }> = {
  name: 'json-folder',
  specVersion: ADAPTER_SPEC_VERSION,
  kind: 'directory',
  requiredFiles: ['labels.json'],
  async load(path) {
    const { readFile } = await import('node:fs/promises');
    const labels = JSON.parse(await readFile(join(path, 'labels.json'), 'utf8')) as string[];
    return { labels, labelCount: labels.length };
  },
  estimateMemory: async () => 1024,
  dispose(model) {
    disposed.push(model.labels.join(','));
  },
};

testModelAdapter({
  name: 'json-folder',
  adapter: jsonFolderAdapter,
  async createValidModel(dir) {
    await mkdir(join(dir, 'labels'));
    await writeFile(join(dir, 'labels/labels.json'), '["cat","dog"]');
    return 'labels';
  },
  check(model) {
    if (model.labelCount !== 2) throw new Error('labels not read');
  },
});

testModelAdapter({
  name: 'gguf-header',
  adapter: {
    name: 'gguf-header',
    specVersion: ADAPTER_SPEC_VERSION,
    kind: 'file',
    format: 'gguf',
    load: async (path) => path,
  },
  async createValidModel(dir) {
    const bytes = Buffer.alloc(32);
    bytes.write('GGUF', 0, 'latin1');
    await writeFile(join(dir, 'm.gguf'), bytes);
    return 'm.gguf';
  },
});

// An adapter with a `processEntry`: the suite also runs it with the model in a real child process.
const testAdapterModule = new URL('../test-support/process-test-adapter.mjs', import.meta.url);
const { createProcessTestAdapter, processTestEntry } = (await import(testAdapterModule.href)) as {
  createProcessTestAdapter: () => ModelAdapter<{ echo(value: string): Promise<string> }>;
  processTestEntry: NonNullable<ModelAdapter<unknown>['processEntry']>;
};

testModelAdapter({
  name: 'process-test',
  adapter: { ...createProcessTestAdapter(), processEntry: processTestEntry },
  async createValidModel(dir) {
    await writeFile(join(dir, 'model.bin'), 'weights');
    return 'model.bin';
  },
  async check(model) {
    expect(await model.echo('ping')).toBe('ping');
  },
});
