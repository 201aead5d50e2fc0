import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelAdapter } from '../spec/model-adapter.js';
import { testModelAdapter } from './test-model-adapter.js';

const disposed: string[] = [];

/** A JSON "model" adapter: proves the shared suite on an adapter without native code. */
const jsonFolderAdapter: ModelAdapter<{ labels: string[] }> = {
  kind: 'directory',
  requiredFiles: ['labels.json'],
  async load(path) {
    const { readFile } = await import('node:fs/promises');
    return { labels: JSON.parse(await readFile(join(path, 'labels.json'), 'utf8')) as string[] };
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
    if (model.labels.length !== 2) throw new Error('labels not read');
  },
});

testModelAdapter({
  name: 'gguf-header',
  adapter: { kind: 'file', format: 'gguf', load: async (path) => path },
  async createValidModel(dir) {
    const bytes = Buffer.alloc(32);
    bytes.write('GGUF', 0, 'latin1');
    await writeFile(join(dir, 'm.gguf'), bytes);
    return 'm.gguf';
  },
});
