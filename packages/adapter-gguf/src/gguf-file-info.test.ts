import { createTinyGgufModel, encodeGguf, type TinyGgufOptions } from '@model-loader/fixtures';
import { type GgufFileInfo, GgufInsights, readGgufFileInfo } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { isSplitGguf, toGgufFileInfo } from './gguf-file-info.js';
import { readGgufHeader } from './preflight/inspect-gguf-file.js';
import { useTempDir } from './test-support/temp-files.js';
import { getTestLlama } from './test-support/test-llama.js';

const temp = useTempDir();
const llama = await getTestLlama();

async function estimates(info: GgufFileInfo) {
  const insights = await GgufInsights.from(info, llama);
  return {
    trainContextSize: insights.trainContextSize,
    totalLayers: insights.totalLayers,
    modelSize: insights.modelSize,
    flashAttentionSupported: insights.flashAttentionSupported,
    model: insights.estimateModelResourceRequirements({ gpuLayers: 0 }),
    contexts: [
      { contextSize: 512, sequences: 1 },
      { contextSize: 2048, sequences: 4, batchSize: 128 },
    ].map((options) =>
      insights.estimateContextResourceRequirements({ ...options, modelGpuLayers: 0 }),
    ),
  };
}

const cases: [string, TinyGgufOptions][] = [
  ['llama vocabulary, F32, 1 layer', {}],
  [
    'gpt2 vocabulary with merges, F16, 2 layers',
    { tokenizer: 'gpt2', weightType: 'F16', layerCount: 2 },
  ],
  ['5000 tokens (vocabulary and scores longer than the kept arrays)', { vocabularySize: 5000 }],
];

describe('toGgufFileInfo', () => {
  it.each(cases)(
    'gives GgufInsights the estimates readGgufFileInfo gives: %s',
    async (_, options) => {
      const model = createTinyGgufModel(options);
      model.metadata.push(
        { key: 'llama.attention.sliding_window', type: 'uint32', value: 256 },
        { key: 'llama.expert_weights', type: 'array', arrayType: 'int32', value: [1, -2, 3] },
        { key: 'llama.big_count', type: 'uint64', value: 1n << 60n },
      );
      const path = await temp.write('model.gguf', encodeGguf(model).bytes);
      const { header } = await readGgufHeader(path);
      const ours = toGgufFileInfo(header, path);
      const theirs = await readGgufFileInfo(path, { readTensorInfo: true });

      expect(await estimates(ours)).toEqual(await estimates(theirs));
      expect(ours.architectureMetadata).toEqual(theirs.architectureMetadata);
      expect(ours.fullTensorInfo).toEqual(theirs.fullTensorInfo);
      expect(ours.metadata.general).toEqual(theirs.metadata.general);
      expect(ours.metadata.tokenizer.ggml.tokens.length).toBe(
        theirs.metadata.tokenizer.ggml.tokens.length,
      );
      expect(ours.infoEndOffset).toBe(theirs.infoEndOffset);
      expect(ours.sourceData).toEqual(theirs.sourceData);
      expect(isSplitGguf(header)).toBe(false);
    },
  );

  it('recognises one part of a split model', async () => {
    const model = createTinyGgufModel();
    model.metadata.push({ key: 'split.count', type: 'uint16', value: 3 });
    const path = await temp.write('split.gguf', encodeGguf(model).bytes);
    expect(isSplitGguf((await readGgufHeader(path)).header)).toBe(true);
  });
});
