import type { GgufFileInfo, GgufTensorInfo } from 'node-llama-cpp';
import type { ParsedGgufHeader } from './preflight/parse-gguf-header.js';

const STRING = 8;
const ARRAY = 9;
/** Keys node-llama-cpp keeps whole instead of nesting (`general.license.link` stays one key). */
const KEPT_WHOLE = new Set(['general.license', 'tokenizer.chat_template']);

type Value = string | number | bigint | boolean | Value[];
type Nested = { [key: string]: Value | Nested };

const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');
/**
 * An array of `length` empty slots that costs nothing: written past its end once, it is sparse
 * (dictionary elements), while `new Array(length)` allocates and fills every slot (about 1 ms per
 * 32k slots here, 6 ms for a 150k vocabulary).
 */
function emptySlots(length: number): Value[] {
  const array: Value[] = [];
  if (length > 0) {
    array[length - 1] = 0;
    delete array[length - 1];
  }
  return array;
}

/** node-llama-cpp returns 64-bit counts as numbers when they are safe integers. */
const numberIfSafe = (value: bigint) =>
  value > BigInt(Number.MAX_SAFE_INTEGER) ? value : Number(value);

/**
 * Puts `value` under the dotted `key` (`llama.attention.head_count` becomes
 * `llama.attention.head_count` nested three levels deep), as node-llama-cpp's metadata does. A key
 * whose prefix is already a value stays flat under the last object reached (rare, only seen in
 * hand-made files; the estimate does not read such keys).
 */
function setNested(target: Nested, key: string, value: Value): void {
  const parts = key.split('.');
  let current = target;
  let index = 0;
  for (; index < parts.length - 1; index++) {
    const part = parts[index] as string;
    const prefix = parts.slice(0, index + 1).join('.');
    if (KEPT_WHOLE.has(prefix)) break;
    const next = current[part];
    if (next === undefined) {
      const created: Nested = {};
      current[part] = created;
      current = created;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      current = next;
    } else {
      break;
    }
  }
  current[parts.slice(index).join('.')] = value;
}

/**
 * node-llama-cpp's `GgufFileInfo` built from the preflight's parse, so `GgufInsights` can estimate
 * memory without `readGgufFileInfo` parsing the header a second time (tens of ms for a large
 * vocabulary). Scalars, strings, tensor infos and short numeric arrays are complete; string arrays
 * and numeric arrays longer than 4096 items (the vocabulary, scores, merges) keep only their length,
 * as empty slots: GgufInsights reads their `length` (the vocabulary size) and nothing else.
 * Only for files that are not split (`split.count` absent or 1): node-llama-cpp splices the tensor
 * infos of all parts, which the preflight does not read.
 */
export function toGgufFileInfo(header: ParsedGgufHeader, path: string): GgufFileInfo {
  const metadata: Nested = {};
  for (const [key, entry] of header.metadata) {
    let value: Value;
    if (entry.type === ARRAY) {
      value =
        entry.itemType !== STRING && entry.values !== undefined
          ? entry.values.map((item) => item as Value)
          : emptySlots(entry.length ?? 0);
    } else if (entry.type === STRING) {
      value = utf8(String(entry.value));
    } else {
      value = entry.value as Value;
    }
    setNested(metadata, utf8(key), value);
  }
  const dataOffset = header.dataOffset;
  const tensorInfo: GgufTensorInfo[] = header.tensors.map((tensor) => ({
    name: tensor.name,
    dimensions: tensor.dimensions.map(numberIfSafe),
    ggmlType: tensor.typeId,
    offset: numberIfSafe(tensor.offset),
    fileOffset: numberIfSafe(BigInt(dataOffset) + tensor.offset),
    filePart: 1,
  }));
  const general = metadata.general;
  const architecture =
    typeof general === 'object' && !Array.isArray(general) ? general.architecture : undefined;
  const architectureMetadata =
    typeof architecture === 'string' ? (metadata[architecture] ?? {}) : {};
  const { summary } = header;
  const metadataSize = header.metadataSizeInBytes;
  const tensorInfoSize = summary.headerSizeInBytes - metadataSize;
  return {
    version: summary.version,
    tensorCount: summary.tensorCount,
    metadata,
    metadataSize,
    infoEndOffset: dataOffset,
    architectureMetadata,
    tensorInfo,
    tensorInfoSize,
    splicedParts: 1,
    totalTensorCount: summary.tensorCount,
    totalMetadataSize: metadataSize,
    totalTensorInfoSize: tensorInfoSize,
    fullTensorInfo: tensorInfo,
    sourceData: [{ type: 'path', path, length: dataOffset }],
    source: { type: 'path', path },
  } as unknown as GgufFileInfo;
}

/** Whether the file is one part of a split model (`split.count` > 1). */
export function isSplitGguf(header: ParsedGgufHeader): boolean {
  const count = header.metadata.get('split.count')?.value;
  return (typeof count === 'number' || typeof count === 'bigint') && Number(count) > 1;
}
