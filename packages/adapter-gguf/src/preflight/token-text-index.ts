const EMPTY = -1;

/**
 * An index of the token texts of a GGUF vocabulary, built from byte spans of the header window
 * without decoding one string per token: an open-addressing hash table (FNV-1a over the bytes) of
 * token ids. Texts compare byte for byte, as llama.cpp's `std::string` keys do. An empty token is
 * indexed as the `[EMPTY_<id>]` text llama.cpp puts in its place before indexing.
 */
export class TokenTextIndex {
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly hashes: Uint32Array;
  /** `[EMPTY_<id>]` bytes of the empty tokens (rare). */
  private readonly placeholders = new Map<number, Uint8Array>();

  /**
   * @param bytes the window the spans point into
   * @param starts offset of each token's text in `bytes`
   * @param lengths byte length of each token's text
   */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly starts: Uint32Array,
    private readonly lengths: Uint32Array,
  ) {
    let size = 16;
    while (size < lengths.length * 2) size *= 2;
    this.table = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.hashes = new Uint32Array(lengths.length);
  }

  /** Token count. */
  get size(): number {
    return this.lengths.length;
  }

  /** The text of token `id` as a latin1 string (one character per byte), for messages. */
  textOf(id: number): string {
    const [source, start, length] = this.span(id);
    return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString(
      'latin1',
      start,
      start + length,
    );
  }

  /** Adds token `id` (ids in order); returns the id that already has the same text, or -1. */
  add(id: number): number {
    const length = this.lengths[id] as number;
    if (length === 0) {
      const placeholder = this.placeholder(id);
      return this.insert(id, placeholder, 0, placeholder.length);
    }
    return this.insert(id, this.bytes, this.starts[id] as number, length);
  }

  /** Whether a token added so far has exactly these bytes as its text. */
  has(text: Uint8Array): boolean {
    const hash = hashBytes(text, 0, text.length);
    let slot = hash & this.mask;
    for (;;) {
      const other = this.table[slot] as number;
      if (other === EMPTY) return false;
      if (this.hashes[other] === hash && this.equals(other, text, 0, text.length)) return true;
      slot = (slot + 1) & this.mask;
    }
  }

  private insert(id: number, source: Uint8Array, start: number, length: number): number {
    const hash = hashBytes(source, start, length);
    this.hashes[id] = hash;
    let slot = hash & this.mask;
    for (;;) {
      const other = this.table[slot] as number;
      if (other === EMPTY) {
        this.table[slot] = id;
        return -1;
      }
      if (this.hashes[other] === hash && this.equals(other, source, start, length)) return other;
      slot = (slot + 1) & this.mask;
    }
  }

  private placeholder(id: number): Uint8Array {
    let placeholder = this.placeholders.get(id);
    if (placeholder === undefined) {
      placeholder = Buffer.from(`[EMPTY_${id}]`, 'latin1');
      this.placeholders.set(id, placeholder);
    }
    return placeholder;
  }

  private span(id: number): [Uint8Array, number, number] {
    const length = this.lengths[id] as number;
    if (length > 0) return [this.bytes, this.starts[id] as number, length];
    const placeholder = this.placeholder(id);
    return [placeholder, 0, placeholder.length];
  }

  private equals(id: number, source: Uint8Array, start: number, length: number): boolean {
    const [other, otherStart, otherLength] = this.span(id);
    if (otherLength !== length) return false;
    for (let index = 0; index < length; index++) {
      if (other[otherStart + index] !== source[start + index]) return false;
    }
    return true;
  }
}

/** 32-bit FNV-1a of `length` bytes at `start`. */
function hashBytes(source: Uint8Array, start: number, length: number): number {
  let hash = 0x811c9dc5;
  const end = start + length;
  for (let index = start; index < end; index++) {
    hash = Math.imul(hash ^ (source[index] as number), 0x01000193);
  }
  return hash >>> 0;
}
