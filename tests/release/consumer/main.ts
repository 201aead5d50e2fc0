// A consumer's program, copied into a project outside the workspace that installed the packed
// tarballs with npm. Node runs it as TypeScript (type stripping) and `tsc --noEmit` checks it
// against the published declarations. Usage: node main.ts MODEL_DIR
import { createGgufAdapter, type GgufModelHandle } from '@model-loader/adapter-gguf';
import { ModelLoader } from '@model-loader/core';
import { modelLoaderPlugin } from '@model-loader/fastify';
import Fastify from 'fastify';

// The other published packages must import without loading a native runtime.
await import('@model-loader/adapter-whisper');
await import('@model-loader/adapter-ocr');
await import('@model-loader/cli');

const modelDir = process.argv[2];
if (!modelDir) throw new Error('usage: node main.ts MODEL_DIR');

const loader = new ModelLoader({ modelDir }).register({
  name: 'tiny',
  path: 'tiny.gguf',
  adapter: createGgufAdapter({ gpu: false, threadCount: 1 }),
  options: { contextSize: 512 },
});

const app = Fastify({ logger: false });
await app.register(modelLoaderPlugin, { loader, metrics: false });
await app.listen({ host: '127.0.0.1', port: 0 });
await app.models.loadInBackground();

const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');
const response = await fetch(`http://127.0.0.1:${address.port}/health`);
const health = (await response.json()) as { status: string; loaded_count: number };

const model: GgufModelHandle = loader.get('tiny');
const completion = await model.complete('hello', { maxTokens: 4 });

process.stdout.write(
  `${JSON.stringify({
    httpStatus: response.status,
    health,
    completionTokens: completion.usage.completionTokens,
  })}\n`,
);
await app.close();
