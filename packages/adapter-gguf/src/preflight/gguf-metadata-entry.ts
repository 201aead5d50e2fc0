/**
 * A metadata value the preflight keeps: a scalar or string `value`; for an array its item type and
 * length, the values of short numeric arrays, and the byte spans of `tokenizer.ggml.tokens`.
 * Strings are latin1 (one character per byte).
 */
export interface GgufMetadataEntry {
  readonly type: number;
  readonly value?: number | bigint | boolean | string;
  readonly itemType?: number;
  readonly length?: number;
  readonly values?: readonly (number | bigint | boolean)[];
  /** For a numeric array: where its items start in the parsed window (read with `scalarAt`). */
  readonly itemsOffset?: number;
  readonly starts?: Uint32Array;
  readonly lengths?: Uint32Array;
}
