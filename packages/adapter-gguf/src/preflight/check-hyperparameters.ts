import { GGUF_LIMITS } from './gguf-limits.js';
import type { GgufMetadataEntry } from './gguf-metadata-entry.js';
import { numberOf, perLayerValues, textOf } from './metadata-values.js';

const MAX_UINT32 = 0xffff_ffff;

type Metadata = ReadonlyMap<string, GgufMetadataEntry>;
type Fail = (reason: string) => never;

const positiveEverywhere = ['embedding_length', 'block_count', 'attention.head_count'];
const requiredForLlama = [...positiveEverywhere, 'feed_forward_length'];
/** `LLAMA_ROPE_SCALING_TYPES` in llama-model.cpp; any other text fails a GGML_ASSERT. */
const ropeScalingTypes = new Set(['none', 'linear', 'yarn', 'longrope']);
/** Architectures for which llama.cpp turns an expert count of 1 into 0 (llama_model::load_hparams). */
const singleExpertIsDense = new Set(['hunyuan-vl', 'hunyuan-dense']);

/**
 * Checks the hyperparameters llama.cpp trusts before it has looked at a tensor. Every rule below
 * is a GGML_ASSERT (a process abort, not an exception) in `llama_model::load_hparams` or a
 * zero-sized tensor shape in the loader, in the llama.cpp that node-llama-cpp 3.21.1 ships; each
 * was confirmed by loading a mutant of the tiny fixture in a child process (scripts/hostile-sweep.mjs).
 * Keys are `<general.architecture>.*`, so the rules hold for every architecture; only `llama`
 * requires the four sizes to be present (other architectures may lack a feed-forward length).
 */
export function checkHyperparameters(metadata: Metadata, fail: Fail): void {
  const architecture = textOf(metadata.get('general.architecture'));
  if (architecture === undefined) return;
  const key = (name: string) => `${architecture}.${name}`;
  const names = architecture === 'llama' ? requiredForLlama : positiveEverywhere;
  for (const name of names) {
    const entry = metadata.get(key(name));
    if (entry === undefined) {
      if (architecture === 'llama') fail(`metadata key "${key(name)}" is missing`);
      continue;
    }
    const value = numberOf(entry);
    if (value !== undefined && value < 1)
      fail(`metadata key "${key(name)}" is ${value}, not a positive count`);
  }

  // Per-layer arrays may hold 0 for the recurrent layers of hybrid architectures; `llama` has
  // none, and a 0 there aborts the load like a 0 scalar.
  if (architecture === 'llama') {
    for (const name of ['attention.head_count', 'attention.head_count_kv', 'feed_forward_length']) {
      const values = perLayerValues(metadata.get(key(name)));
      if (values === undefined || values.scalar) continue;
      const layer = values.values.findIndex((value) => !(value >= 1));
      if (layer >= 0) {
        fail(
          `metadata key "${key(name)}" is ${values.values[layer]} at layer ${layer}, not a positive count`,
        );
      }
    }
  }

  // Norm epsilons (layer_norm_epsilon, layer_norm_rms_epsilon, group_norm_epsilon, ...): ggml's
  // norm kernels assert `eps >= 0.0f` (ggml-cpu/ops.cpp), which a negative value or NaN fails.
  for (const [name, entry] of metadata) {
    if (!name.startsWith(`${architecture}.`) || !name.endsWith('epsilon')) continue;
    const value = numberOf(entry);
    if (value !== undefined && !(value >= 0))
      fail(`metadata key "${name}" is ${value}, not a non-negative epsilon`);
  }

  const layerCount = numberOf(metadata.get(key('block_count')));
  if (layerCount === undefined) return;
  if (layerCount > GGUF_LIMITS.maxLayerCount) {
    fail(
      `metadata key "${key('block_count')}" is ${layerCount}, more than llama.cpp's limit of ${GGUF_LIMITS.maxLayerCount} layers (LLAMA_MAX_LAYERS)`,
    );
  }
  checkAttentionHeads(metadata, key, layerCount, fail);
  checkExperts(metadata, architecture, key, layerCount, fail);
  const nextn = numberOf(metadata.get(key('nextn_predict_layers')));
  if (nextn !== undefined && nextn > layerCount) {
    fail(
      `metadata key "${key('nextn_predict_layers')}" is ${nextn}, more than the ${layerCount} layers ("${key('block_count')}")`,
    );
  }
  const ropeScaling = metadata.get(key('rope.scaling.type'));
  const ropeScalingText = textOf(ropeScaling);
  if (ropeScalingText !== undefined && !ropeScalingTypes.has(ropeScalingText)) {
    fail(
      `metadata key "${key('rope.scaling.type')}" is "${ropeScalingText}", not one of ${[...ropeScalingTypes].join(', ')}`,
    );
  }
}

/**
 * Per layer: a layer with attention heads needs at least one key/value head, and its heads must
 * divide into groups of key/value heads (grouped-query attention); a head count above the
 * embedding length leaves a head size of 0 (zero-sized tensors) unless the key length is given.
 */
function checkAttentionHeads(
  metadata: Metadata,
  key: (name: string) => string,
  layerCount: number,
  fail: Fail,
): void {
  const heads = perLayerValues(metadata.get(key('attention.head_count')));
  if (heads === undefined) return;
  // llama.cpp defaults the key/value heads to the heads when the key is absent.
  const kvHeads = perLayerValues(metadata.get(key('attention.head_count_kv'))) ?? heads;
  const embedding = numberOf(metadata.get(key('embedding_length')));
  for (const name of ['attention.key_length', 'attention.value_length']) {
    const value = numberOf(metadata.get(key(name)));
    if (value !== undefined && value < 1)
      fail(`metadata key "${key(name)}" is ${value}, not a positive size`);
  }
  const headSizes = ['attention.key_length', 'attention.value_length'].flatMap((name) => {
    const value = numberOf(metadata.get(key(name)));
    return value === undefined ? [] : [{ name, value }];
  });
  const hasKeyLength = metadata.has(key('attention.key_length'));
  const at = (values: { scalar: boolean; values: readonly number[] }, layer: number) =>
    values.scalar ? values.values[0] : values.values[layer];
  const layers = heads.scalar && kvHeads.scalar ? 1 : layerCount;
  for (let layer = 0; layer < layers; layer++) {
    const head = at(heads, layer);
    const kv = at(kvHeads, layer);
    // A missing entry (array shorter than block_count) is a clean llama.cpp error; 0 heads is a
    // recurrent layer of a hybrid model.
    if (head === undefined || kv === undefined || head === 0) continue;
    const where = heads.scalar && kvHeads.scalar ? '' : ` at layer ${layer}`;
    if (kv < 1) {
      fail(
        `metadata key "${key('attention.head_count_kv')}" is ${kv}${where}, but a layer with ${head} attention heads needs at least 1 key/value head`,
      );
    }
    if (head % kv !== 0) {
      fail(
        `metadata key "${key('attention.head_count_kv')}" is ${kv}${where}, which does not divide the ${head} attention heads ("${key('attention.head_count')}")`,
      );
    }
    // llama.cpp multiplies a head size by the head count in 32 bits (n_embd_k_gqa, n_embd_v_gqa):
    // a product that wraps gives a zero-sized tensor shape and an abort.
    for (const size of headSizes) {
      const widest = Math.max(head, kv);
      if (size.value * widest > MAX_UINT32) {
        fail(
          `metadata key "${key(size.name)}" is ${size.value}: times ${widest} heads${where} it overflows the 32 bits llama.cpp computes the attention width in`,
        );
      }
    }
    if (!hasKeyLength && embedding !== undefined && embedding >= 1 && head > embedding) {
      fail(
        `metadata key "${key('attention.head_count')}" is ${head}${where}, more than the embedding length ${embedding}: the head size would be 0`,
      );
    }
  }
}

/** The expert (mixture-of-experts) counts `llama_model::load_hparams` asserts on. */
function checkExperts(
  metadata: Metadata,
  architecture: string,
  key: (name: string) => string,
  layerCount: number,
  fail: Fail,
): void {
  let experts = numberOf(metadata.get(key('expert_count'))) ?? 0;
  if (experts > GGUF_LIMITS.maxExpertCount) {
    fail(
      `metadata key "${key('expert_count')}" is ${experts}, more than llama.cpp's limit of ${GGUF_LIMITS.maxExpertCount} (LLAMA_MAX_EXPERTS)`,
    );
  }
  const used = perLayerValues(metadata.get(key('expert_used_count')));
  let usedMax = used === undefined ? 0 : Math.max(0, ...used.values.slice(0, layerCount));
  if (singleExpertIsDense.has(architecture) && experts <= 1) [experts, usedMax] = [0, 0];
  const groups = numberOf(metadata.get(key('expert_group_count'))) ?? 0;
  const groupsUsed = numberOf(metadata.get(key('expert_group_used_count'))) ?? 0;
  const usedKey = `"${key('expert_used_count')}"`;
  const groupKey = `"${key('expert_group_count')}"`;
  if (experts === 0) {
    if (usedMax !== 0) fail(`metadata key ${usedKey} is ${usedMax} but the model has no experts`);
    if (groups !== 0) fail(`metadata key ${groupKey} is ${groups} but the model has no experts`);
    return;
  }
  if (usedMax === 0) fail(`metadata key ${usedKey} is 0 (or missing) for ${experts} experts`);
  if (usedMax > experts)
    fail(`metadata key ${usedKey} is ${usedMax}, more than the ${experts} experts`);
  if (groups >= experts)
    fail(`metadata key ${groupKey} is ${groups}, not fewer than the ${experts} experts`);
  if (groups > 1) {
    if (experts % groups !== 0)
      fail(`metadata key ${groupKey} is ${groups}, which does not divide the ${experts} experts`);
    if (groupsUsed < 1 || groupsUsed >= groups) {
      fail(
        `metadata key "${key('expert_group_used_count')}" is ${groupsUsed}, not between 1 and ${groups - 1} (${groupKey})`,
      );
    }
  }
}
