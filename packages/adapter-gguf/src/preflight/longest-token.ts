/** `▁` (U+2581) in UTF-8: SentencePiece's stand-in for one space byte of the text. */
const SPACE_MARK = [0xe2, 0x96, 0x81] as const;
/** llama.cpp's LLAMA_TOKEN_TYPE_BYTE: a `<0xXX>` token standing for one byte. */
const BYTE_TOKEN = 6;

/**
 * The most bytes of UTF-8 prompt text one token of the vocabulary can stand for, or undefined when
 * the tokenizer normalizes text in ways that can shrink it (BERT's WordPiece strips accents, T5's
 * Unigram applies a character map) so no such bound holds. For SentencePiece (`llama`) a token
 * stands for its text with each `▁` as one space; for byte-level BPE (`gpt2`) for at most its text's
 * bytes (each character of a normal token maps back to one byte; added tokens are raw text).
 * A byte token (`<0xXX>`, type 6) stands for one byte; the types are known only when the parser kept
 * them (vocabularies of up to 4096 tokens), otherwise its text length counts, a looser bound.
 * A prompt of more than `contextSize` times this many bytes has more tokens than the context holds.
 */
export function longestTokenInBytes(
  bytes: Uint8Array,
  starts: Uint32Array,
  lengths: Uint32Array,
  tokenizer: string | undefined,
  tokenTypes?: readonly (number | bigint | boolean)[],
): number | undefined {
  if (tokenizer !== 'llama' && tokenizer !== 'gpt2') return undefined;
  let longest = 1;
  for (let id = 0; id < lengths.length; id++) {
    // llama.cpp indexes an empty token as the text `[EMPTY_<id>]`.
    const length = (lengths[id] as number) || `[EMPTY_${id}]`.length;
    if (length <= longest) continue;
    if (tokenTypes !== undefined && Number(tokenTypes[id]) === BYTE_TOKEN) continue;
    let covered = length;
    if (tokenizer === 'llama') {
      const start = starts[id] as number;
      const end = start + length;
      for (let index = start; index + 2 < end; index++) {
        if (
          bytes[index] === SPACE_MARK[0] &&
          bytes[index + 1] === SPACE_MARK[1] &&
          bytes[index + 2] === SPACE_MARK[2]
        ) {
          covered -= 2;
          index += 2;
        }
      }
    }
    if (covered > longest) longest = covered;
  }
  return longest;
}
