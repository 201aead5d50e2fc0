import { displayText, type GgufByteReader, scalarWidths } from './gguf-byte-reader.js';
import type { GgufMetadataEntry } from './gguf-metadata-entry.js';
import { GGUF_ARRAY as ARRAY, GGUF_STRING as STRING } from './gguf-value-types.js';
import { longestTokenInBytes } from './longest-token.js';
import { textOf } from './metadata-values.js';
import { TokenTextIndex } from './token-text-index.js';

type Entry = GgufMetadataEntry;

const BYTE_TOKEN = 6;
const BYTE_TOKEN_TEXT = /^<0x[0-9A-Fa-f]{2}>$/;

/**
 * Tokens of type BYTE (6): llama.cpp turns them back into their byte with `token_to_byte`, which
 * aborts the process for a WordPiece (`bert`) vocabulary (GGML_ABORT in llama-vocab.cpp; found by
 * scripts/hostile-sweep.mjs) and reads characters 3-4 of `<0xXX>` for the others.
 */
function checkByteTokens(
  reader: GgufByteReader,
  entries: Map<string, Entry>,
  starts: Uint32Array,
  lengths: Uint32Array,
  model: string | undefined,
): void {
  const types = entries.get('tokenizer.ggml.token_type');
  if (types?.type !== ARRAY || types.itemsOffset === undefined) return;
  const itemType = types.itemType ?? 0;
  const width = scalarWidths[itemType] ?? 0;
  if (width === 0 || itemType === 7) return;
  const count = Math.min(types.length ?? 0, lengths.length);
  for (let id = 0; id < count; id++) {
    if (Number(reader.scalarAt(itemType, types.itemsOffset + id * width)) !== BYTE_TOKEN) continue;
    const start = starts[id] as number;
    const text = Buffer.from(reader.bytes.buffer, reader.bytes.byteOffset).toString(
      'latin1',
      start,
      start + (lengths[id] as number),
    );
    if (model === 'bert') {
      reader.fail(
        `token ${id} (${displayText(text)}) of the "bert" vocabulary has the byte type, which llama.cpp cannot turn back into text`,
      );
    }
    if ((model === 'llama' || model === 'gpt2' || model === 't5') && !BYTE_TOKEN_TEXT.test(text)) {
      reader.fail(`byte token ${id} is ${displayText(text)}, not of the form <0xXX>`);
    }
  }
}

/**
 * Checks `tokenizer.ggml.*` for what aborts llama.cpp (a `none` model, duplicate or missing byte
 * tokens, short score/type arrays) and measures the vocabulary.
 */
export function checkVocabulary(
  reader: GgufByteReader,
  entries: Map<string, Entry>,
): { count: number; longestTokenInBytes: number | undefined } | undefined {
  // A vocabulary of type `none` makes every tokenization fail a GGML_ASSERT (llama-vocab.cpp).
  if (textOf(entries.get('tokenizer.ggml.model')) === 'none') {
    reader.fail(
      '"tokenizer.ggml.model" is "none": llama.cpp would abort on the first prompt it tokenizes',
    );
  }
  const tokens = entries.get('tokenizer.ggml.tokens');
  if (tokens === undefined) return undefined;
  if (
    tokens.type !== ARRAY ||
    tokens.itemType !== STRING ||
    tokens.starts === undefined ||
    tokens.lengths === undefined
  ) {
    reader.fail('metadata key "tokenizer.ggml.tokens" is not an array of strings');
  }
  // llama.cpp replaces an empty token by `[EMPTY_<id>]` before indexing, then aborts the process
  // when two ids share a text (GGML_ASSERT in llama_vocab::impl::load): check the same strings,
  // byte for byte, with a hash table over the bytes (no string per token).
  const seen = new TokenTextIndex(reader.bytes, tokens.starts, tokens.lengths);
  for (let id = 0; id < seen.size; id++) {
    const previous = seen.add(id);
    if (previous >= 0) {
      reader.fail(
        `duplicate token text ${displayText(seen.textOf(id))} at ids ${previous} and ${id} in "tokenizer.ggml.tokens"`,
      );
    }
  }
  // SentencePiece (and UGM) byte fallback looks up `<0xXX>` (or the raw byte) with `map::at`; a
  // missing one throws std::out_of_range inside tokenization, which terminates the process on the
  // first prompt containing that byte (found by the fuzz test).
  const model = textOf(entries.get('tokenizer.ggml.model'));
  if (model === 'llama' || model === 't5') {
    for (let byte = 0; byte < 256; byte++) {
      const hex = `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
      if (!seen.has(Buffer.from(hex, 'latin1')) && (byte === 0 || !seen.has(Uint8Array.of(byte)))) {
        reader.fail(
          `the "${model}" vocabulary has no byte token ${hex}, which tokenizing that byte needs`,
        );
      }
    }
  }
  checkByteTokens(reader, entries, tokens.starts, tokens.lengths, model);
  const count = seen.size;
  for (const key of ['tokenizer.ggml.scores', 'tokenizer.ggml.token_type']) {
    const entry = entries.get(key);
    if (entry?.type === ARRAY && entry.itemType !== STRING && (entry.length ?? 0) < count) {
      reader.fail(`"${key}" has ${entry.length} items but the vocabulary has ${count} tokens`);
    }
  }
  return {
    count,
    longestTokenInBytes: longestTokenInBytes(
      reader.bytes,
      tokens.starts,
      tokens.lengths,
      model,
      entries.get('tokenizer.ggml.token_type')?.values,
    ),
  };
}
