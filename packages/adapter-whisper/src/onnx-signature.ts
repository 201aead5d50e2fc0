import type { ProtobufField, ProtobufFileReader } from './protobuf-file-reader.js';

/** An operator set a model imports (`ai.onnx` for the default domain). */
export interface OnnxOpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** A graph input or output: its name, element type and shape (a string for a symbolic dimension). */
export interface OnnxValueInfo {
  readonly name: string;
  /** `float32`, `int64` ..., `unknown(N)` for a type this reader does not name, `''` without a type. */
  readonly elementType: string;
  /** `undefined` when the model declares no shape (any rank). */
  readonly shape: readonly (number | string)[] | undefined;
}

// Field numbers from onnx/onnx.proto.
const OPSET = { domain: 1, version: 2 };
const VALUE_INFO = { name: 1, type: 2 };
const TYPE = { tensor: 1 };
const TENSOR_TYPE = { elementType: 1, shape: 2 };
const SHAPE = { dim: 1 };
const DIMENSION = { value: 1, param: 2 };

// TensorProto.DataType, onnx/onnx.proto.
const elementTypeNames: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** Reads one `OperatorSetIdProto`. */
export async function readOpsetImport(
  reader: ProtobufFileReader,
  message: ProtobufField,
): Promise<OnnxOpsetImport> {
  let domain = '';
  let version = 0;
  for await (const field of reader.fields(message.start, message.end)) {
    if (field.fieldNumber === OPSET.domain && field.wireType === 2)
      domain = await reader.string(field);
    else if (field.fieldNumber === OPSET.version && field.wireType === 0)
      version = Number(field.value);
  }
  return { domain: domain === '' ? 'ai.onnx' : domain, version };
}

/** Reads one `ValueInfoProto` (a graph input or output). */
export async function readValueInfo(
  reader: ProtobufFileReader,
  message: ProtobufField,
): Promise<OnnxValueInfo> {
  let name = '';
  let elementType = '';
  let shape: (number | string)[] | undefined;
  for await (const field of reader.fields(message.start, message.end)) {
    if (field.wireType !== 2) continue;
    if (field.fieldNumber === VALUE_INFO.name) name = await reader.string(field);
    if (field.fieldNumber !== VALUE_INFO.type) continue;
    for await (const type of reader.fields(field.start, field.end)) {
      if (type.fieldNumber !== TYPE.tensor || type.wireType !== 2) continue;
      for await (const tensor of reader.fields(type.start, type.end)) {
        if (tensor.fieldNumber === TENSOR_TYPE.elementType && tensor.wireType === 0) {
          const code = Number(tensor.value);
          elementType = elementTypeNames[code] ?? `unknown(${code})`;
        } else if (tensor.fieldNumber === TENSOR_TYPE.shape && tensor.wireType === 2) {
          shape = await readShape(reader, tensor);
        }
      }
    }
  }
  return { name, elementType, shape };
}

async function readShape(
  reader: ProtobufFileReader,
  message: ProtobufField,
): Promise<(number | string)[]> {
  const shape: (number | string)[] = [];
  for await (const dim of reader.fields(message.start, message.end)) {
    if (dim.fieldNumber !== SHAPE.dim || dim.wireType !== 2) continue;
    let size: number | string = '?';
    for await (const field of reader.fields(dim.start, dim.end)) {
      if (field.fieldNumber === DIMENSION.value && field.wireType === 0)
        size = Number(BigInt.asIntN(64, field.value));
      else if (field.fieldNumber === DIMENSION.param && field.wireType === 2)
        size = await reader.string(field);
    }
    shape.push(size);
  }
  return shape;
}

/** `input_ids: int64[batch, 4]`, as `inspect` prints a value. */
export function formatValueInfo(value: OnnxValueInfo): string {
  const shape = value.shape === undefined ? '' : `[${value.shape.join(', ')}]`;
  return `${value.name}: ${value.elementType || 'untyped'}${shape}`;
}
