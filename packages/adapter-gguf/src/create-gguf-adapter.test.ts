import { join } from 'node:path';
import { ModelLoader, ModelLoaderError } from '@model-loader/core';
import { testModelAdapter } from '@model-loader/core/testing';
import {
  brokenGgufKinds,
  createBrokenGguf,
  createTinyGgufModel,
  encodeGguf,
  writeTinyGguf,
} from '@model-loader/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGgufAdapter, type GgufAdapter, LlamaLoadError } from './create-gguf-adapter.js';
import type { GgufModelHandle } from './gguf-model-handle.js';
import { useTempDir } from './test-support/temp-files.js';
import { getTestLlama } from './test-support/test-llama.js';

const llama = await getTestLlama();
const adapter = createGgufAdapter({ llama, threadCount: 1, gpu: false });

testModelAdapter({
  name: 'gguf',
  adapter,
  createValidModel: async (dir) => {
    await writeTinyGguf(join(dir, 'tiny.gguf'));
    return 'tiny.gguf';
  },
  check: async (model) => {
    const result = await model.complete('hello', { maxTokens: 4 });
    expect(result.usage.completionTokens).toBe(4);
  },
});

const temp = useTempDir();

function counting(inner: GgufAdapter): GgufAdapter & { loads: number } {
  const counted = {
    ...inner,
    loads: 0,
    load: (...args: Parameters<GgufAdapter['load']>) => {
      counted.loads++;
      return inner.load(...args);
    },
  };
  return counted;
}

describe('GGUF adapter through the core', () => {
  let loader: ModelLoader<{ tiny: GgufModelHandle }>;
  let model: GgufModelHandle;

  beforeAll(async () => {
    await temp.write('.keep', new Uint8Array());
    await writeTinyGguf(join(temp.dir(), 'tiny.gguf'), { layerCount: 2 });
    loader = new ModelLoader({ modelDir: temp.dir() }).register({
      name: 'tiny',
      path: 'tiny.gguf',
      adapter: adapter,
      options: { parallelSequences: 2, contextSize: 512 },
    });
    const results = await loader.loadAll();
    expect(results.tiny?.ok).toBe(true);
    model = loader.get('tiny');
  });
  afterAll(() => loader?.close());

  it('reports the preflight summary in the model info', () => {
    expect(loader.getModelInfo('tiny')).toMatchObject({
      inspection: {
        format: 'GGUF v3',
        details: { architecture: 'llama', quantization: 'F32', contextLength: 2048, layerCount: 2 },
      },
    });
  });

  it('completes a prompt with usage and timings', async () => {
    const result = await model.complete('hello there', { maxTokens: 8 });
    expect(result.finishReason).toBe('length');
    expect(result.usage.completionTokens).toBe(8);
    expect(result.usage.promptTokens).toBeGreaterThan(1);
    expect(result.usage.totalTokens).toBe(result.usage.promptTokens + 8);
    expect(result.timings.totalInMs).toBeGreaterThan(0);
    expect(result.timings.tokensPerSecond).toBeGreaterThan(0);
    expect(model.contextSize).toBe(512);
  });

  it('answers a chat with the model template', async () => {
    const result = await model.chat(
      [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hi' },
      ],
      { maxTokens: 4 },
    );
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(typeof result.text).toBe('string');
  });

  it('streams the same text the result holds', async () => {
    const stream = model.streamComplete('once upon', { maxTokens: 6 });
    const chunks: string[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const result = await stream.result;
    expect(chunks.join('')).toBe(result.text);
    expect(result.usage.completionTokens).toBe(6);
  });

  it('stops a generation when its signal aborts', async () => {
    const controller = new AbortController();
    const stream = model.streamChat([{ role: 'user', content: 'go' }], {
      maxTokens: 200,
      signal: controller.signal,
    });
    const reason = new Error('client went away');
    let chunks = 0;
    await expect(
      (async () => {
        for await (const _ of stream) {
          chunks++;
          controller.abort(reason);
        }
      })(),
    ).rejects.toBe(reason);
    await expect(stream.result).rejects.toBe(reason);
    expect(chunks).toBeGreaterThan(0);
    expect(model.pool.activeCount).toBe(0);
  });

  it('serves concurrent completions from its bounded sequence pool', async () => {
    const running = Array.from({ length: 5 }, (_, index) =>
      model.complete(`prompt ${index}`, { maxTokens: 4 }),
    );
    expect(model.pool).toMatchObject({ size: 2 });
    const results = await Promise.all(running);
    expect(results.map((result) => result.usage.completionTokens)).toEqual([4, 4, 4, 4, 4]);
    expect(results.some((result) => result.timings.queuedInMs > 0)).toBe(true);
    expect(model.pool).toEqual({ size: 2, activeCount: 0, pendingCount: 0 });
  });

  it('refuses a request past the queue limit with MODEL_BUSY', async () => {
    const busy = createGgufAdapter({ llama, threadCount: 1, gpu: false, maxQueuedRequests: 1 });
    const local = new ModelLoader({ modelDir: temp.dir() }).register({
      name: 'tiny',
      path: 'tiny.gguf',
      adapter: busy,
      options: { parallelSequences: 1, contextSize: 512 },
    });
    const handle = await local.load('tiny');
    const running = handle.complete('first', { maxTokens: 4 });
    const waiting = handle.complete('second', { maxTokens: 4 });
    const error = await handle.complete('third', { maxTokens: 4 }).catch((e: unknown) => e);
    expect(ModelLoaderError.hasCode(error, 'MODEL_BUSY')).toBe(true);
    expect((error as ModelLoaderError).message).toBe('Too many requests waiting for the model (1)');
    expect((error as ModelLoaderError).isRetryable).toBe(true);
    await Promise.all([running, waiting]);
    expect(handle.pool).toEqual({ size: 1, activeCount: 0, pendingCount: 0 });
    await local.close();
  });

  it('disposes the model on unload and refuses further requests', async () => {
    const local = new ModelLoader({ modelDir: temp.dir() }).register({
      name: 'tiny',
      path: 'tiny.gguf',
      adapter: adapter,
    });
    const handle = await local.load('tiny');
    await local.unload('tiny');
    expect(handle.model.disposed).toBe(true);
    await expect(handle.complete('x')).rejects.toThrow('The model was disposed');
    await local.close();
  });
});

describe('GGUF adapter failures', () => {
  it.each(brokenGgufKinds)(
    'rejects %s in the preflight without calling node-llama-cpp',
    async (kind) => {
      const counted = counting(adapter);
      await temp.write(`${kind}.gguf`, createBrokenGguf(kind));
      const loader = new ModelLoader({ modelDir: temp.dir() }).register({
        name: 'broken',
        path: `${kind}.gguf`,
        adapter: counted,
      });
      const result = (await loader.loadAll()).broken;
      expect(result?.error?.code).toBe(
        kind === 'bad-magic' ? 'MODEL_FILE_TYPE_MISMATCH' : 'MODEL_FILE_CORRUPT',
      );
      expect(counted.loads).toBe(0);
      await loader.close();
    },
  );

  it.each(brokenGgufKinds)(
    'refuses %s in estimateMemory with the coded error, before GgufInsights',
    async (kind) => {
      // No `inspect` first: the estimate parses (and checks) the header itself. A bit-flipped
      // block_count used to keep GgufInsights busy for 36-41 s; every class must be refused by the
      // checks, which read only the header.
      const path = await temp.write(`estimate-${kind}.gguf`, createBrokenGguf(kind));
      const error = await adapter.estimateMemory!(path, {}).catch((caught: unknown) => caught);
      expect(ModelLoaderError.isInstance(error) ? error.code : error).toBe(
        kind === 'bad-magic' ? 'MODEL_FILE_TYPE_MISMATCH' : 'MODEL_FILE_CORRUPT',
      );
      if (kind === 'bit-flipped-layer-count') {
        expect((error as Error).message).toBe(
          `Corrupt GGUF file: metadata key "llama.block_count" is 536870914, more than llama.cpp's limit of 512 layers (LLAMA_MAX_LAYERS)`,
        );
      }
    },
  );

  it('names a missing part of a split model in estimateMemory', async () => {
    const tiny = createTinyGgufModel();
    const metadata = [
      ...tiny.metadata,
      { key: 'split.count', type: 'uint16', value: 2 } as const,
      { key: 'split.no', type: 'uint16', value: 0 } as const,
      { key: 'split.tensors.count', type: 'int32', value: tiny.tensors.length } as const,
    ];
    const path = await temp.write(
      'split-00001-of-00002.gguf',
      encodeGguf({ metadata, tensors: tiny.tensors }).bytes,
    );
    await expect(adapter.estimateMemory!(path, {})).rejects.toMatchObject({
      code: 'MODEL_FILE_NOT_FOUND',
      message:
        'Part split-00002-of-00002.gguf of the split GGUF model split-00001-of-00002.gguf does not exist',
    });
  });

  it('estimates a model of 512 layers, the most the preflight accepts', async () => {
    const shape = { embeddingLength: 8, headCount: 2, headCountKv: 1, feedForwardLength: 8 };
    const path = join(temp.dir(), 'layers-512.gguf');
    await writeTinyGguf(path, { ...shape, layerCount: 512 });
    const deep = await adapter.estimateMemory!(path, { contextSize: 256 });
    await writeTinyGguf(path, { ...shape, layerCount: 1 });
    const shallow = await adapter.estimateMemory!(path, { contextSize: 256 });
    // The key/value cache grows with the layers: the estimate read all 512.
    expect(deep).toBeGreaterThan(shallow);
  });

  it("attaches llama.cpp's own reason to MODEL_LOAD_FAILED", async () => {
    const tiny = createTinyGgufModel();
    const tensors = tiny.tensors.filter((tensor) => tensor.name !== 'blk.0.ffn_up.weight');
    await temp.write('missing-tensor.gguf', encodeGguf({ metadata: tiny.metadata, tensors }).bytes);
    const loader = new ModelLoader({ modelDir: temp.dir() }).register({
      name: 'missing',
      path: 'missing-tensor.gguf',
      adapter: adapter,
    });
    const error = (await loader.loadAll()).missing?.error;
    expect(error?.code).toBe('MODEL_LOAD_FAILED');
    expect(error?.message).toMatch(
      /llama\.cpp could not load the model: .*missing tensor 'blk\.0\.ffn_up\.weight'/,
    );
    expect(error?.message).not.toContain(temp.dir());
    const cause = error?.cause;
    expect(cause).toBeInstanceOf(LlamaLoadError);
    expect((cause as LlamaLoadError).llamaLog.join('\n')).toContain('blk.0.ffn_up.weight');
    await loader.close();
  });

  it('validates settings and options with messages naming the field', async () => {
    expect(() => createGgufAdapter({ threadCount: 0 })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('`threadCount`'),
      }),
    );
    const path = join(temp.dir(), 'tiny.gguf');
    const context = {
      modelName: 'x',
      signal: new AbortController().signal,
      attempt: 1,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      onProgress() {},
    };
    const error = await adapter.load(path, { contextSize: -1 }, context).catch((e: unknown) => e);
    expect(ModelLoaderError.hasCode(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('`contextSize`');
  });

  it('estimates memory with GgufInsights, growing with the context size', async () => {
    const path = join(temp.dir(), 'tiny.gguf');
    const small = await adapter.estimateMemory!(path, { contextSize: 256 });
    const large = await adapter.estimateMemory!(path, { contextSize: 2048 });
    expect(small).toBeGreaterThan(100_000);
    expect(large).toBeGreaterThan(small);
  });

  it('estimates from the header inspect parsed, and parses again when the file changed', async () => {
    const path = join(temp.dir(), 'estimate.gguf');
    await writeTinyGguf(path, { layerCount: 1 });
    const first = await adapter.inspect!(path, new AbortController().signal);
    const one = await adapter.estimateMemory!(path, { contextSize: 512 }, first);
    expect(await adapter.estimateMemory!(path, { contextSize: 512 })).toBe(one);
    await writeTinyGguf(path, { layerCount: 2, embeddingLength: 64 });
    // The old inspection's header no longer matches the file's size: parsed again.
    const two = await adapter.estimateMemory!(path, { contextSize: 512 }, first);
    expect(two).toBeGreaterThan(one);
    const second = await adapter.inspect!(path, new AbortController().signal);
    expect(await adapter.estimateMemory!(path, { contextSize: 512 }, second)).toBe(two);
  });
});
