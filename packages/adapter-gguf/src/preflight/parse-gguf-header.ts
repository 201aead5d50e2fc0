import { ModelLoaderError } from '@model-loader/core';
import { checkHyperparameters } from './check-hyperparameters.js';
import { checkVocabulary } from './check-vocabulary.js';
import { getGgmlType } from './ggml-types.js';
import { displayText, type GgufByteReader, scalarWidths } from './gguf-byte-reader.js';
import { GGUF_LIMITS } from './gguf-limits.js';
import type { GgufMetadataEntry } from './gguf-metadata-entry.js';
import type { GgufSummary } from './gguf-summary.js';
import { GGUF_ARRAY as ARRAY, GGUF_STRING as STRING } from './gguf-value-types.js';
import { numberOf, textOf } from './metadata-values.js';

const INT64_MAX = (1n << 63n) - 1n;
const DEFAULT_ALIGNMENT = 32;
// Smallest encodings: a metadata entry is a key (u64 length + 1 byte), a type (u32) and a 1-byte
// value; a tensor info is a name (u64 + 1), n_dims (u32), a type (u32) and an offset (u64).
const MIN_ENTRY_SIZE = 14;
const MIN_TENSOR_INFO_SIZE = 25;

/** Numeric arrays up to this length keep their values (per-layer hyperparameters); longer ones only their length. */
const MAX_KEPT_ARRAY_LENGTH = 4096;

export type { GgufMetadataEntry } from './gguf-metadata-entry.js';

type Entry = GgufMetadataEntry;

/** A tensor info as the file declares it. */
export interface GgufTensorEntry {
  /** The name, decoded as UTF-8. */
  readonly name: string;
  readonly dimensions: readonly bigint[];
  readonly typeId: number;
  /** Offset of its data from the start of the data section. */
  readonly offset: bigint;
  readonly sizeInBytes: bigint;
}

/** Everything the preflight parsed: the summary, the metadata (by latin1 key) and the tensor infos. */
export interface ParsedGgufHeader {
  readonly summary: GgufSummary;
  readonly metadata: ReadonlyMap<string, GgufMetadataEntry>;
  readonly tensors: readonly GgufTensorEntry[];
  /** Bytes from the start of the file to the end of the metadata (where the tensor infos start). */
  readonly metadataSizeInBytes: number;
  /** Offset of the tensor data section (the header size rounded up to the alignment). */
  readonly dataOffset: number;
}

function minItemSize(itemType: number): number {
  return itemType === STRING ? 8 : (scalarWidths[itemType] ?? 1);
}

function readEntries(reader: GgufByteReader, count: number): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (let index = 0; index < count; index++) {
    const key = reader.string(`key of metadata entry ${index}`, GGUF_LIMITS.maxStringLengthInBytes);
    if (key.length === 0) reader.fail(`metadata entry ${index} has an empty key`);
    const name = displayText(key);
    // C code reads keys as zero-terminated strings: a NUL inside makes a shorter (or empty) key
    // that aborts the process in gguf.cpp (found by the fuzz test).
    if (key.includes('\0'))
      reader.fail(`metadata key ${name} (entry ${index}) contains a NUL byte`);
    if (entries.has(key)) reader.fail(`duplicate metadata key ${name}`);
    const type = reader.u32(`value type of metadata key ${name}`);
    if (type === ARRAY) {
      const itemType = reader.u32(`item type of metadata array ${name}`);
      if (itemType === ARRAY)
        reader.fail(`metadata key ${name} is an array of arrays, which llama.cpp cannot read`);
      if (itemType !== STRING && scalarWidths[itemType] === undefined) {
        reader.fail(`metadata array ${name} has unknown item type ${itemType}`);
      }
      const declared = reader.u64Big(`length of metadata array ${name}`);
      if (declared > BigInt(GGUF_LIMITS.maxArrayLength)) {
        reader.fail(
          `metadata array ${name} has ${declared} items, more than the cap of ${GGUF_LIMITS.maxArrayLength}`,
        );
      }
      const length = Number(declared);
      if (length * minItemSize(itemType) > reader.remainingInBytes) {
        reader.fail(
          `metadata array ${name} has ${length} items, more than the rest of the file can hold`,
        );
      }
      if (itemType === STRING) {
        const keep = key === 'tokenizer.ggml.tokens';
        const starts = keep ? new Uint32Array(length) : undefined;
        const lengths = keep ? new Uint32Array(length) : undefined;
        let item = 0;
        const describeItem = () => `item ${item} of metadata array ${name}`;
        for (; item < length; item++) {
          const size = reader.skipString(describeItem, GGUF_LIMITS.maxStringLengthInBytes);
          if (starts !== undefined && lengths !== undefined) {
            starts[item] = reader.position - size;
            lengths[item] = size;
          }
        }
        entries.set(key, {
          type,
          itemType,
          length,
          ...(starts && lengths ? { starts, lengths } : {}),
        });
      } else {
        const width = minItemSize(itemType);
        const at = reader.position;
        reader.skip(length * width, `items of metadata array ${name}`);
        const values =
          length <= MAX_KEPT_ARRAY_LENGTH
            ? Array.from({ length }, (_, item) => reader.scalarAt(itemType, at + item * width))
            : undefined;
        entries.set(key, {
          type,
          itemType,
          length,
          itemsOffset: at,
          ...(values ? { values } : {}),
        });
      }
    } else if (type === STRING) {
      entries.set(key, {
        type,
        value: reader.string(`value of metadata key ${name}`, GGUF_LIMITS.maxStringLengthInBytes),
      });
    } else if (scalarWidths[type] !== undefined) {
      entries.set(key, { type, value: reader.scalar(type, `value of metadata key ${name}`) });
    } else {
      reader.fail(`metadata key ${name} has unknown value type ${type}`);
    }
  }
  return entries;
}

/** llama.cpp's names of norm weights and biases (`blk.0.attn_norm.weight`, `output.bias`). */
const NORM_OR_BIAS = /norm\.(weight|bias)$|\.bias$/;
/**
 * Parses and checks a GGUF header (magic, version, metadata, tensor infos) from the bytes the reader
 * holds, against the file's size. Throws MODEL_FILE_TYPE_MISMATCH when the file is not GGUF,
 * MODEL_FILE_CORRUPT with a precise reason for each defect that could crash or confuse llama.cpp.
 */
export function parseGgufHeader(reader: GgufByteReader): GgufSummary {
  return parseGgufHeaderDetails(reader).summary;
}

/** `parseGgufHeader` that also returns the metadata and tensor infos it parsed. */
export function parseGgufHeaderDetails(reader: GgufByteReader): ParsedGgufHeader {
  if (reader.fileSizeInBytes < 4) {
    throw new ModelLoaderError(
      'MODEL_FILE_TYPE_MISMATCH',
      'Not a GGUF file: it has fewer than 4 bytes',
      { path: reader.path },
    );
  }
  const magic = [reader.u8('magic'), reader.u8('magic'), reader.u8('magic'), reader.u8('magic')];
  if (String.fromCharCode(...magic) !== 'GGUF') {
    const hex = magic.map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
    throw new ModelLoaderError(
      'MODEL_FILE_TYPE_MISMATCH',
      `Not a GGUF file: magic bytes are ${hex}, expected "GGUF"`,
      {
        path: reader.path,
        expected: 'GGUF',
        actual: hex,
      },
    );
  }
  const version = reader.u32('version');
  if (version !== 2 && version !== 3)
    reader.fail(`unsupported GGUF version ${version} (llama.cpp reads versions 2 and 3)`);
  const declaredTensors = reader.u64Big('tensor count');
  const declaredEntries = reader.u64Big('metadata count');
  const smallest =
    declaredTensors * BigInt(MIN_TENSOR_INFO_SIZE) + declaredEntries * BigInt(MIN_ENTRY_SIZE);
  if (smallest > BigInt(reader.remainingInBytes)) {
    reader.fail(
      `header declares ${declaredTensors} tensors and ${declaredEntries} metadata entries, more than the file's ${reader.fileSizeInBytes} bytes can hold`,
    );
  }
  const tensorCount = Number(declaredTensors);
  const metadataCount = Number(declaredEntries);

  const entries = readEntries(reader, metadataCount);
  const metadataSizeInBytes = reader.position;
  const alignmentEntry = entries.get('general.alignment');
  let alignment = DEFAULT_ALIGNMENT;
  if (alignmentEntry !== undefined) {
    if (alignmentEntry.type !== 4) reader.fail('metadata key "general.alignment" must be a uint32');
    alignment = Number(alignmentEntry.value);
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
      reader.fail(`alignment ${alignment} ("general.alignment") is not a power of two`);
    }
  }
  const vocabulary = checkVocabulary(reader, entries);
  checkHyperparameters(entries, (reason) => reader.fail(reason));

  const names = new Set<string>();
  const tensors: (GgufTensorEntry & { displayName: string; typeName: string })[] = [];
  let parameterCount = 0n;
  for (let index = 0; index < tensorCount; index++) {
    const raw = reader.string(`name of tensor ${index}`, GGUF_LIMITS.maxStringLengthInBytes);
    const name = displayText(raw);
    if (raw.length > GGUF_LIMITS.maxTensorNameLengthInBytes) {
      reader.fail(
        `tensor ${index} has a name of ${raw.length} bytes, more than ggml's ${GGUF_LIMITS.maxTensorNameLengthInBytes}`,
      );
    }
    if (raw.includes('\0')) reader.fail(`tensor ${index} name ${name} contains a NUL byte`);
    if (names.has(raw)) reader.fail(`duplicate tensor name ${name}`);
    names.add(raw);
    const dimensionCount = reader.u32(`dimension count of tensor ${name}`);
    if (dimensionCount > GGUF_LIMITS.maxDimensions) {
      reader.fail(
        `tensor ${name} has ${dimensionCount} dimensions, more than ${GGUF_LIMITS.maxDimensions}`,
      );
    }
    const dimensions: bigint[] = [];
    let elements = 1n;
    for (let axis = 0; axis < dimensionCount; axis++) {
      const dimension = reader.i64Big(`dimension ${axis} of tensor ${name}`);
      if (dimension < 0n) reader.fail(`tensor ${name} has a negative dimension ${dimension}`);
      dimensions.push(dimension);
      elements *= dimension;
      if (elements > INT64_MAX)
        reader.fail(
          `element count of tensor ${name} (${dimensions.join(' x ')} ...) overflows 64 bits`,
        );
    }
    const typeId = reader.u32(`type of tensor ${name}`);
    const type = getGgmlType(typeId);
    if (type === undefined)
      reader.fail(`tensor ${name} has unknown or removed ggml type ${typeId}`);
    if (!type.isWeightType) {
      reader.fail(
        `tensor ${name} has ggml type ${type.name}, which llama.cpp cannot use for weights: ggml's CPU backend has no dot-product kernel for ${type.name.startsWith('Q8') ? 'this activation-only type' : 'integer or F64 tensors'}`,
      );
    }
    const rowLength = dimensions[0] ?? 1n;
    if (rowLength % BigInt(type.blockSize) !== 0n) {
      reader.fail(
        `tensor ${name} of type ${type.name} has rows of ${rowLength} values, not a multiple of its block size ${type.blockSize}`,
      );
    }
    // Norm weights, biases and scales are the second operand of ggml's element-wise add and mul,
    // which take only F32 there next to F32 activations (ggml-cpu/binary-ops.cpp): any other type
    // fails a GGML_ASSERT on the first request (found by scripts/hostile-sweep.mjs).
    // ggml pads shapes with 1s, so a norm stored as [n, 1] is a vector too (the sweep found it).
    const isVector = dimensions.every((dimension, axis) => axis === 0 || dimension === 1n);
    if (typeId !== 0 && isVector && (dimensionCount <= 1 || NORM_OR_BIAS.test(raw))) {
      reader.fail(
        `tensor ${name} is a vector (a norm, bias or scale) of type ${type.name}, but llama.cpp reads those only as F32`,
      );
    }
    const sizeInBytes = (elements / BigInt(type.blockSize)) * BigInt(type.typeSize);
    if (sizeInBytes > INT64_MAX) reader.fail(`byte size of tensor ${name} overflows 64 bits`);
    const offset = reader.u64Big(`data offset of tensor ${name}`);
    if (offset % BigInt(alignment) !== 0n) {
      reader.fail(
        `tensor ${name} data offset ${offset} is not a multiple of the alignment ${alignment}`,
      );
    }
    parameterCount += elements;
    tensors.push({
      name: Buffer.from(raw, 'latin1').toString('utf8'),
      displayName: name,
      dimensions,
      typeId,
      offset,
      sizeInBytes,
      typeName: type.name,
    });
  }

  const headerSizeInBytes = reader.position;
  const dataStart = BigInt(Math.ceil(headerSizeInBytes / alignment) * alignment);
  const fileSize = BigInt(reader.fileSizeInBytes);
  const bytesByType = new Map<string, bigint>();
  for (const tensor of tensors) {
    const end = dataStart + tensor.offset + tensor.sizeInBytes;
    if (end > fileSize) {
      reader.fail(
        `tensor ${tensor.displayName} data ends at byte ${end} but the file has ${fileSize} bytes (truncated download?)`,
      );
    }
    bytesByType.set(tensor.typeName, (bytesByType.get(tensor.typeName) ?? 0n) + tensor.sizeInBytes);
  }
  let quantization = 'none';
  let most = -1n;
  for (const [typeName, bytes] of bytesByType) {
    if (bytes > most) [quantization, most] = [typeName, bytes];
  }

  const architecture = textOf(entries.get('general.architecture'));
  const prefixed = (suffix: string) =>
    architecture === undefined ? undefined : numberOf(entries.get(`${architecture}.${suffix}`));
  const optional = <T>(key: string, value: T | undefined) =>
    value === undefined ? {} : { [key]: value };
  const summary: GgufSummary = {
    version,
    ...optional('architecture', architecture),
    ...optional('name', textOf(entries.get('general.name'))),
    parameterCount: Number(parameterCount),
    quantization,
    ...optional('contextLength', prefixed('context_length')),
    ...optional('layerCount', prefixed('block_count')),
    ...optional('embeddingLength', prefixed('embedding_length')),
    ...optional('vocabularySize', vocabulary?.count),
    ...optional('longestTokenInBytes', vocabulary?.longestTokenInBytes),
    ...optional('tokenizer', textOf(entries.get('tokenizer.ggml.model'))),
    tensorCount,
    metadataCount,
    headerSizeInBytes,
    sizeInBytes: reader.fileSizeInBytes,
  };
  return {
    summary,
    metadata: entries,
    tensors: tensors.map(({ name, dimensions, typeId, offset, sizeInBytes }) => ({
      name,
      dimensions,
      typeId,
      offset,
      sizeInBytes,
    })),
    metadataSizeInBytes,
    dataOffset: Number(dataStart),
  };
}
