import type { GgufMetadataEntry } from './gguf-metadata-entry.js';

/** GGUF value type numbers the checks look at (GGUF specification). */
export const GGUF_STRING = 8;
export const GGUF_ARRAY = 9;

/** A scalar numeric entry as a number (64-bit values may lose precision), else undefined. */
export function numberOf(entry: GgufMetadataEntry | undefined): number | undefined {
  if (entry === undefined || entry.type === GGUF_STRING || entry.type === GGUF_ARRAY)
    return undefined;
  const value = entry.value;
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
}

/** A string entry decoded as UTF-8 (the parser keeps strings as latin1), else undefined. */
export function textOf(entry: GgufMetadataEntry | undefined): string | undefined {
  return entry?.type === GGUF_STRING && typeof entry.value === 'string'
    ? Buffer.from(entry.value, 'latin1').toString('utf8')
    : undefined;
}

/**
 * A per-layer hyperparameter the way llama.cpp's `get_key_or_arr` reads it: a scalar applies to
 * every layer, an array gives one value per layer. Undefined when absent, not numeric, or an array
 * too long for the parser to have kept its values.
 */
export function perLayerValues(
  entry: GgufMetadataEntry | undefined,
): { readonly scalar: boolean; readonly values: readonly number[] } | undefined {
  if (entry === undefined) return undefined;
  if (entry.type === GGUF_ARRAY) {
    if (entry.itemType === GGUF_STRING || entry.values === undefined) return undefined;
    return { scalar: false, values: entry.values.map((value) => Number(value)) };
  }
  const value = numberOf(entry);
  return value === undefined ? undefined : { scalar: true, values: [value] };
}
