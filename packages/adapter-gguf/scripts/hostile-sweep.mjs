// Hostile sweep: derives mutants of the tiny fixture GGUF (tensor types, hyperparameters), runs the
// preflight on each and loads every mutant (accepted or not, with PREFLIGHT=skip) with
// node-llama-cpp in a child process (src/test-support/load-gguf-child.mjs), which loads, creates
// a context and generates two tokens. Prints one line per mutant: preflight verdict, then what
// llama.cpp did (loaded / error / killed by a signal).
// Run after building: pnpm --filter @model-loader/adapter-gguf exec node scripts/hostile-sweep.mjs
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTinyGgufModel, encodeGguf } from '@model-loader/fixtures';
import { getGgmlType } from '../dist/preflight/ggml-types.js';
import { inspectGgufFile } from '../dist/preflight/inspect-gguf-file.js';

const options = {
  embeddingLength: 256,
  feedForwardLength: 256,
  headCount: 4,
  headCountKv: 2,
  contextLength: 256,
  vocabularySize: 320,
};
const base = createTinyGgufModel(options);
const mutants = [];

const withType = (tensors, name, type) =>
  tensors.map((tensor) => {
    if (tensor.name !== name) return tensor;
    const info = getGgmlType(type);
    const elements = tensor.dimensions.reduce((a, b) => a * Number(b), 1);
    return { ...tensor, type, data: new Uint8Array((elements / info.blockSize) * info.typeSize) };
  });
const setKey = (metadata, key, type, value, arrayType) => {
  const entry = arrayType ? { key, type, value, arrayType } : { key, type, value };
  return metadata.some((e) => e.key === key)
    ? metadata.map((e) => (e.key === key ? entry : e))
    : [...metadata, entry];
};

const only = process.env.ONLY ?? 'types,hparams';
if (only.includes('types')) {
  const targets = (
    process.env.TENSORS ??
    'token_embd.weight,blk.0.attn_q.weight,blk.0.ffn_down.weight,output.weight,blk.0.attn_norm.weight,output_norm.weight'
  ).split(',');
  for (let type = 0; type < 43; type++) {
    const info = getGgmlType(type);
    if (info === undefined) continue;
    for (const target of targets) {
      const tensor = base.tensors.find((t) => t.name === target);
      if (Number(tensor.dimensions[0]) % info.blockSize !== 0) continue;
      mutants.push({
        label: `${target} as ${info.name}`,
        metadata: base.metadata,
        tensors: withType(base.tensors, target, type),
      });
    }
  }
}
if (only.includes('hparams')) {
  const u32 = (key, values) => {
    for (const value of values)
      mutants.push({
        label: `${key} = ${value}`,
        metadata: setKey(base.metadata, key, 'uint32', value),
        tensors: base.tensors,
      });
  };
  const f32 = (key, values) => {
    for (const value of values)
      mutants.push({
        label: `${key} = ${value}`,
        metadata: setKey(base.metadata, key, 'float32', value),
        tensors: base.tensors,
      });
  };
  const str = (key, values) => {
    for (const value of values)
      mutants.push({
        label: `${key} = "${value}"`,
        metadata: setKey(base.metadata, key, 'string', value),
        tensors: base.tensors,
      });
  };
  const arr = (key, values) => {
    mutants.push({
      label: `${key} = [${values}]`,
      metadata: setKey(base.metadata, key, 'array', values, 'uint32'),
      tensors: base.tensors,
    });
  };
  u32('llama.block_count', [0, 2, 512, 513, 536870914, 0xffffffff]);
  u32('llama.attention.head_count_kv', [0, 3, 8, 2 ** 31]);
  u32('llama.attention.head_count', [3, 8, 2 ** 31, 0xffffffff]);
  u32('llama.embedding_length', [255, 512, 2 ** 31]);
  u32('llama.feed_forward_length', [255, 2 ** 31]);
  u32('llama.context_length', [0, 1, 2 ** 31, 0xffffffff]);
  u32('llama.rope.dimension_count', [0, 7, 2 ** 31]);
  u32('llama.attention.key_length', [0, 7, 2 ** 31]);
  u32('llama.attention.value_length', [0, 7, 2 ** 31]);
  u32('llama.expert_count', [1, 2, 2000]);
  u32('llama.expert_used_count', [1, 2000]);
  u32('llama.expert_group_count', [1, 2]);
  u32('llama.nextn_predict_layers', [1, 5]);
  u32('llama.vocab_size', [0, 10, 2 ** 31]);
  u32('llama.attention.sliding_window', [0, 2 ** 31]);
  u32('tokenizer.ggml.bos_token_id', [320, 2 ** 31, 0xffffffff]);
  u32('tokenizer.ggml.eos_token_id', [320, 2 ** 31, 0xffffffff]);
  u32('tokenizer.ggml.unknown_token_id', [320, 0xffffffff]);
  u32('tokenizer.ggml.padding_token_id', [320, 0xffffffff]);
  u32('tokenizer.ggml.seperator_token_id', [320]);
  u32('tokenizer.ggml.eot_token_id', [320]);
  f32('llama.attention.layer_norm_rms_epsilon', [0, -1, Number.NaN, Number.POSITIVE_INFINITY]);
  f32('llama.rope.freq_base', [0, -1, Number.NaN]);
  f32('llama.rope.scaling.factor', [-1, Number.NaN, 1e-30]);
  str('llama.rope.scaling.type', ['bogus', 'yarn']);
  str('tokenizer.ggml.model', ['bogus', 'gpt2', 'bert', 't5', 'rwkv', 'none', 'plamo2']);
  str('tokenizer.ggml.pre', ['bogus']);
  str('general.architecture', ['bogus', 'qwen2', 'mamba']);
  arr('llama.attention.head_count_kv', [0]);
  arr('llama.attention.head_count_kv', [2, 2]);
  arr('llama.attention.head_count', [0]);
  arr('llama.feed_forward_length', [0]);
  arr('llama.feed_forward_length', [2 ** 31]);
  const types = base.metadata.find((e) => e.key === 'tokenizer.ggml.token_type');
  mutants.push({
    label: 'token_type all 99',
    metadata: setKey(
      base.metadata,
      'tokenizer.ggml.token_type',
      'array',
      types.value.map(() => 99),
      'int32',
    ),
    tensors: base.tensors,
  });
  mutants.push({
    label: 'token_type all -1',
    metadata: setKey(
      base.metadata,
      'tokenizer.ggml.token_type',
      'array',
      types.value.map(() => -1),
      'int32',
    ),
    tensors: base.tensors,
  });
  mutants.push({
    label: 'token_type all 3 (control)',
    metadata: setKey(
      base.metadata,
      'tokenizer.ggml.token_type',
      'array',
      types.value.map(() => 3),
      'int32',
    ),
    tensors: base.tensors,
  });
  mutants.push({
    label: 'token_type all 6 (byte)',
    metadata: setKey(
      base.metadata,
      'tokenizer.ggml.token_type',
      'array',
      types.value.map(() => 6),
      'int32',
    ),
    tensors: base.tensors,
  });
  const scores = base.metadata.find((e) => e.key === 'tokenizer.ggml.scores');
  mutants.push({
    label: 'scores all NaN',
    metadata: setKey(
      base.metadata,
      'tokenizer.ggml.scores',
      'array',
      scores.value.map(() => Number.NaN),
      'float32',
    ),
    tensors: base.tensors,
  });
  mutants.push({
    label: 'no output.weight',
    metadata: base.metadata,
    tensors: base.tensors.filter((t) => t.name !== 'output.weight'),
  });
  mutants.push({
    label: 'no token_embd.weight',
    metadata: base.metadata,
    tensors: base.tensors.filter((t) => t.name !== 'token_embd.weight'),
  });
}

if (only.includes('extra')) {
  // Norms and biases padded to 2-D with a trailing 1 (ggml treats [n, 1] as [n]).
  for (const name of ['blk.0.attn_norm.weight', 'output_norm.weight']) {
    for (const type of [1, 8]) {
      const padded = base.tensors.map((t) =>
        t.name === name ? { ...t, dimensions: [...t.dimensions, 1] } : t,
      );
      mutants.push({
        label: `${name} as [n, 1] ${getGgmlType(type).name}`,
        metadata: base.metadata,
        tensors: withType(padded, name, type),
      });
    }
  }
  // Matrices transposed or of the wrong shape but the right element count.
  mutants.push({
    label: 'blk.0.attn_k.weight transposed',
    metadata: base.metadata,
    tensors: base.tensors.map((t) =>
      t.name === 'blk.0.attn_k.weight' ? { ...t, dimensions: [...t.dimensions].reverse() } : t,
    ),
  });
  // A zero-sized dimension.
  mutants.push({
    label: 'output.weight with a 0 dimension',
    metadata: base.metadata,
    tensors: base.tensors.map((t) =>
      t.name === 'output.weight'
        ? { ...t, dimensions: [t.dimensions[0], 0], data: new Uint8Array(0) }
        : t,
    ),
  });
  // Rope frequency factors of a wrong length, and an unexpected extra tensor.
  mutants.push({
    label: 'rope_freqs.weight of 3 values',
    metadata: base.metadata,
    tensors: [
      ...base.tensors,
      { name: 'rope_freqs.weight', dimensions: [3], type: 0, data: new Uint8Array(12) },
    ],
  });
  mutants.push({
    label: 'rope_freqs.weight of 32 values',
    metadata: base.metadata,
    tensors: [
      ...base.tensors,
      { name: 'rope_freqs.weight', dimensions: [32], type: 0, data: new Uint8Array(128) },
    ],
  });
  mutants.push({
    label: 'extra tensor blk.5.attn_q.weight',
    metadata: base.metadata,
    tensors: [
      ...base.tensors,
      {
        name: 'blk.5.attn_q.weight',
        dimensions: [256, 256],
        type: 0,
        data: new Uint8Array(256 * 256 * 4),
      },
    ],
  });
  mutants.push({
    label: 'chat template {{ raise_exception("x") }}',
    metadata: setKey(
      base.metadata,
      'tokenizer.chat_template',
      'string',
      '{{ raise_exception("x") }}',
    ),
    tensors: base.tensors,
  });
  mutants.push({
    label: 'add_eos_token true, no eos',
    metadata: setKey(
      base.metadata.filter((e) => e.key !== 'tokenizer.ggml.eos_token_id'),
      'tokenizer.ggml.add_eos_token',
      'bool',
      true,
    ),
    tensors: base.tensors,
  });
  mutants.push({
    label: 'add_bos_token true, bos 4294967295',
    metadata: setKey(base.metadata, 'tokenizer.ggml.bos_token_id', 'uint32', 0xffffffff),
    tensors: base.tensors,
  });
  mutants.push({
    label: 'sliding window 1 with pattern',
    metadata: setKey(
      setKey(base.metadata, 'llama.attention.sliding_window', 'uint32', 1),
      'llama.attention.sliding_window_pattern',
      'uint32',
      2,
    ),
    tensors: base.tensors,
  });
}

const dir = await mkdtemp(join(tmpdir(), 'hostile-sweep-'));
const files = [];
for (const [index, mutant] of mutants.entries()) {
  const path = join(dir, `m${index}.gguf`);
  await writeFile(path, encodeGguf({ metadata: mutant.metadata, tensors: mutant.tensors }).bytes);
  let verdict = 'accepted';
  try {
    await inspectGgufFile(path);
  } catch (error) {
    verdict = `${error.code}: ${error.message.replace(/^Corrupt GGUF file [^:]*: /, '')}`;
  }
  files.push({ path, label: mutant.label, verdict });
}
const toLoad =
  process.env.PREFLIGHT === 'skip' ? files : files.filter((f) => f.verdict === 'accepted');
for (const f of files) if (!toLoad.includes(f)) console.log(`REFUSED  ${f.label}  | ${f.verdict}`);

const child = join(import.meta.dirname, '../src/test-support/load-gguf-child.mjs');
let next = 0;
while (next < toLoad.length) {
  const batch = toLoad.slice(next);
  const { lines, signal, code } = await new Promise((resolve) => {
    const proc = spawn(process.execPath, [child, ...batch.map((f) => f.path)], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    // A watchdog per file: a load that hangs is reported as killed (SIGKILL).
    const limit = Number(process.env.FILE_TIMEOUT_MS ?? 30_000);
    let timer = setTimeout(() => proc.kill('SIGKILL'), limit);
    proc.stdout.on('data', (c) => {
      out += c;
      clearTimeout(timer);
      timer = setTimeout(() => proc.kill('SIGKILL'), limit);
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        lines: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
        signal,
        code,
      });
    });
  });
  const done = lines.filter((l) => 'outcome' in l);
  for (const l of done) {
    const f = batch[l.index];
    console.log(
      `${l.outcome === 'loaded' ? 'LOADED ' : 'ERROR  '}  ${f.label}  | preflight ${f.verdict} | ${l.outcome.slice(0, 160)}`,
    );
  }
  if (done.length === batch.length) break;
  const started = lines.filter((l) => l.started).length;
  const f = batch[started - 1];
  console.log(`CRASH    ${f.label}  | preflight ${f.verdict} | ${signal ?? `exit ${code}`}`);
  next += started;
}
await rm(dir, { recursive: true, force: true });
