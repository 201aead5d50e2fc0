import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoaderError } from '@model-loader/core';
import {
  type BrokenGgufKind,
  brokenGgufKinds,
  createBrokenGguf,
  createTinyGguf,
  truncateGguf,
} from '@model-loader/fixtures';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../test-support/temp-files.js';
import { GgufByteReader } from './gguf-byte-reader.js';
import { inspectGgufFile } from './inspect-gguf-file.js';
import { parseGgufHeader } from './parse-gguf-header.js';

const temp = useTempDir();

async function rejection(bytes: Uint8Array, name = 'model.gguf'): Promise<ModelLoaderError> {
  const path = await temp.write(name, bytes);
  try {
    await inspectGgufFile(path);
  } catch (error) {
    if (ModelLoaderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('the preflight accepted the file');
}

const expectedReasons: Record<BrokenGgufKind, RegExp> = {
  'truncated-header': /tensor count at offset 8 needs 8 bytes but the file ends at 12/,
  'truncated-metadata':
    /of metadata array "tokenizer\.ggml\.tokens" at offset \d+ needs \d+ bytes but the file ends/,
  'truncated-tensor-infos': /tensor 1 at offset \d+ needs \d+ bytes but the file ends/,
  'truncated-tensor-data':
    /tensor "[a-z0-9_.]+" data ends at byte \d+ but the file has \d+ bytes \(truncated download\?\)/,
  'bad-magic': /^Not a GGUF file: magic bytes are 47 47 55 58, expected "GGUF"$/,
  'bad-version': /unsupported GGUF version 7 \(llama\.cpp reads versions 2 and 3\)/,
  'huge-tensor-count':
    /header declares 4611686018427387904 tensors and \d+ metadata entries, more than the file's \d+ bytes can hold/,
  'huge-metadata-count': /header declares \d+ tensors and 18446744073709551600 metadata entries/,
  'overlong-key':
    /key of metadata entry 1 is 1099511627776 bytes long, more than the cap of 16777216/,
  'overlong-string-value':
    /value of metadata key "general\.name" is 100000000 bytes long, more than the cap/,
  'huge-array':
    /metadata array "tokenizer\.ggml\.scores" has 1099511627776 items, more than the cap of 67108864/,
  'empty-key': /metadata entry \d+ has an empty key/,
  'duplicate-key': /duplicate metadata key "llama\.block_count"/,
  'unknown-value-type': /metadata key "general\.file_type" has unknown value type 13/,
  'bad-alignment': /alignment 24 \("general\.alignment"\) is not a power of two/,
  'duplicate-tensor-name': /duplicate tensor name "blk\.0\.attn_norm\.weight"/,
  'too-many-dimensions': /tensor "output_norm\.weight" has 5 dimensions, more than 4/,
  'negative-dimension': /tensor "output_norm\.weight" has a negative dimension -32/,
  'overflowing-element-count': /element count of tensor "output_norm\.weight" .* overflows 64 bits/,
  'unknown-tensor-type': /tensor "output_norm\.weight" has unknown or removed ggml type 99/,
  'removed-tensor-type': /tensor "output_norm\.weight" has unknown or removed ggml type 4/,
  'row-not-multiple-of-block':
    /tensor "output_norm\.weight" of type Q8_0 has rows of 16 values, not a multiple of its block size 32/,
  'misaligned-offset':
    /tensor "blk\.0\.attn_norm\.weight" data offset \d+ is not a multiple of the alignment 32/,
  'tensor-data-past-end':
    /tensor "output\.weight" data ends at byte \d+ but the file has \d+ bytes/,
  'duplicate-token-text':
    /duplicate token text "[a-z]+" at ids 318 and 319 in "tokenizer\.ggml\.tokens"/,
  'token-scores-too-short':
    /"tokenizer\.ggml\.scores" has 10 items but the vocabulary has 320 tokens/,
  'missing-byte-token':
    /the "llama" vocabulary has no byte token <0x7E>, which tokenizing that byte needs/,
  'zero-head-count': /metadata key "llama\.attention\.head_count" is 0, not a positive count/,
  'nul-in-key': /metadata key "\\u0000eos_token_id" \(entry \d+\) contains a NUL byte/,
  'q8-1-weight':
    /tensor "output\.weight" has ggml type Q8_1, which llama\.cpp cannot use for weights: ggml's CPU backend has no dot-product kernel for this activation-only type$/,
  'q8-k-weight':
    /tensor "blk\.0\.attn_q\.weight" has ggml type Q8_K, which llama\.cpp cannot use for weights: .* activation-only type$/,
  'i8-weight':
    /tensor "blk\.0\.attn_q\.weight" has ggml type I8, which llama\.cpp cannot use for weights: ggml's CPU backend has no dot-product kernel for integer or F64 tensors$/,
  'i16-weight': /tensor "blk\.0\.ffn_down\.weight" has ggml type I16, which llama\.cpp cannot use/,
  'i32-weight': /tensor "output\.weight" has ggml type I32, which llama\.cpp cannot use/,
  'i32-token-embedding':
    /tensor "token_embd\.weight" has ggml type I32, which llama\.cpp cannot use/,
  'i64-weight': /tensor "blk\.0\.attn_k\.weight" has ggml type I64, which llama\.cpp cannot use/,
  'f64-weight': /tensor "blk\.0\.ffn_up\.weight" has ggml type F64, which llama\.cpp cannot use/,
  'f16-norm':
    /tensor "blk\.0\.attn_norm\.weight" is a vector \(a norm, bias or scale\) of type F16, but llama\.cpp reads those only as F32$/,
  'f16-norm-as-matrix':
    /tensor "output_norm\.weight" is a vector \(a norm, bias or scale\) of type F16, but llama\.cpp reads those only as F32$/,
  'zero-layer-count': /metadata key "llama\.block_count" is 0, not a positive count$/,
  'too-many-layers':
    /metadata key "llama\.block_count" is 513, more than llama\.cpp's limit of 512 layers \(LLAMA_MAX_LAYERS\)$/,
  'bit-flipped-layer-count':
    /metadata key "llama\.block_count" is 536870914, more than llama\.cpp's limit of 512 layers/,
  'zero-kv-head-count':
    /metadata key "llama\.attention\.head_count_kv" is 0, but a layer with 4 attention heads needs at least 1 key\/value head$/,
  'huge-kv-head-count':
    /metadata key "llama\.attention\.head_count_kv" is 2147483648, which does not divide the 4 attention heads \("llama\.attention\.head_count"\)$/,
  'kv-heads-not-dividing':
    /metadata key "llama\.attention\.head_count_kv" is 3, which does not divide the 4 attention heads/,
  'too-many-experts':
    /metadata key "llama\.expert_count" is 2000, more than llama\.cpp's limit of 1024 \(LLAMA_MAX_EXPERTS\)$/,
  'experts-used-without-experts':
    /metadata key "llama\.expert_used_count" is 1 but the model has no experts$/,
  'experts-without-used-count':
    /metadata key "llama\.expert_used_count" is 0 \(or missing\) for 2 experts$/,
  'expert-groups-without-experts':
    /metadata key "llama\.expert_group_count" is 2 but the model has no experts$/,
  'nextn-layers-past-block-count':
    /metadata key "llama\.nextn_predict_layers" is 5, more than the 1 layers \("llama\.block_count"\)$/,
  'zero-value-length': /metadata key "llama\.attention\.value_length" is 0, not a positive size$/,
  'overflowing-value-length':
    /metadata key "llama\.attention\.value_length" is 2147483648: times 4 heads it overflows the 32 bits llama\.cpp computes the attention width in$/,
  'negative-norm-epsilon':
    /metadata key "llama\.attention\.layer_norm_rms_epsilon" is -1, not a non-negative epsilon$/,
  'nan-norm-epsilon':
    /metadata key "llama\.attention\.layer_norm_rms_epsilon" is NaN, not a non-negative epsilon$/,
  'zero-feed-forward-layer':
    /metadata key "llama\.feed_forward_length" is 0 at layer 0, not a positive count$/,
  'zero-kv-head-layer':
    /metadata key "llama\.attention\.head_count_kv" is 0 at layer 0, not a positive count$/,
  'bert-byte-token':
    /token 3 \("<0x00>"\) of the "bert" vocabulary has the byte type, which llama\.cpp cannot turn back into text$/,
  'no-vocabulary-type':
    /"tokenizer\.ggml\.model" is "none": llama\.cpp would abort on the first prompt it tokenizes$/,
  'unknown-rope-scaling':
    /metadata key "llama\.rope\.scaling\.type" is "bogus", not one of none, linear, yarn, longrope$/,
};

describe('inspectGgufFile (the GGUF preflight)', () => {
  it('summarises the tiny llama model', async () => {
    const path = await temp.write('tiny.gguf', createTinyGguf({ layerCount: 2 }).bytes);
    const summary = await inspectGgufFile(path);
    expect(summary).toMatchObject({
      version: 3,
      architecture: 'llama',
      name: 'tiny-llama',
      quantization: 'F32',
      contextLength: 2048,
      layerCount: 2,
      embeddingLength: 32,
      vocabularySize: 320,
      tokenizer: 'llama',
      tensorCount: 21,
    });
    expect(summary.parameterCount).toBe(
      2 * 320 * 32 + 2 * (4 * 32 * 32 - 2 * 32 * 16 + 3 * 32 * 64 + 64) + 32,
    );
  });

  it('summarises a gpt2-tokenizer F16 model', async () => {
    const path = await temp.write(
      'tiny-f16.gguf',
      createTinyGguf({ tokenizer: 'gpt2', weightType: 'F16' }).bytes,
    );
    expect(await inspectGgufFile(path)).toMatchObject({ quantization: 'F16', tokenizer: 'gpt2' });
  });

  it.each(brokenGgufKinds)('rejects %s with its code and reason', async (kind) => {
    const error = await rejection(createBrokenGguf(kind), `${kind}.gguf`);
    expect(error.code).toBe(
      kind === 'bad-magic' ? 'MODEL_FILE_TYPE_MISMATCH' : 'MODEL_FILE_CORRUPT',
    );
    expect(error.message).toMatch(expectedReasons[kind]);
    expect(error.path).toBe(join(temp.dir(), `${kind}.gguf`));
    expect(error.message).not.toContain(temp.dir());
  });

  it('rejects a file of fewer than 4 bytes as not GGUF', async () => {
    const error = await rejection(new TextEncoder().encode('GG'));
    expect(error.code).toBe('MODEL_FILE_TYPE_MISMATCH');
    expect(error.message).toBe('Not a GGUF file: it has fewer than 4 bytes');
  });

  it('rejects the file truncated at every byte of its header, and in its data', async () => {
    const { bytes, layout } = createTinyGguf({ vocabularySize: 300 });
    const cuts = [...Array.from({ length: layout.dataOffset + 1 }, (_, index) => index)];
    for (let cut = layout.dataOffset + 1; cut < bytes.length; cut += 997) cuts.push(cut);
    for (const cut of cuts) {
      const truncated = truncateGguf(bytes, cut);
      let outcome = 'accepted';
      try {
        parseGgufHeader(new GgufByteReader(truncated, truncated.length, 'cut.gguf'));
      } catch (error) {
        outcome = ModelLoaderError.isInstance(error) ? error.code : String(error);
      }
      expect([cut, outcome]).toEqual([
        cut,
        cut < 4 ? 'MODEL_FILE_TYPE_MISMATCH' : 'MODEL_FILE_CORRUPT',
      ]);
    }
    // The same through the file reader, for a few cuts.
    for (const cut of [3, 30, layout.dataOffset - 1, bytes.length - 1]) {
      const path = join(temp.dir(), 'cut.gguf');
      await writeFile(path, truncateGguf(bytes, cut));
      await expect(inspectGgufFile(path)).rejects.toMatchObject({
        code: cut < 4 ? 'MODEL_FILE_TYPE_MISMATCH' : 'MODEL_FILE_CORRUPT',
      });
    }
  });

  it('reads a header larger than its first 1 MiB window (large vocabulary)', async () => {
    const path = await temp.write(
      'large-vocabulary.gguf',
      createTinyGguf({
        vocabularySize: 120_000,
        embeddingLength: 8,
        headCount: 2,
        headCountKv: 1,
        feedForwardLength: 8,
      }).bytes,
    );
    const summary = await inspectGgufFile(path);
    expect(summary.vocabularySize).toBe(120_000);
    expect(summary.headerSizeInBytes).toBeGreaterThan(1024 * 1024);
  });

  it('honours an aborted signal', async () => {
    const path = await temp.write('abort.gguf', createTinyGguf().bytes);
    await expect(inspectGgufFile(path, AbortSignal.abort(new Error('stop')))).rejects.toThrow(
      'stop',
    );
  });
});
