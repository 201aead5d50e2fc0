import { open, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ModelLoaderError } from '@model-loader/core';
import {
  type OnnxOpsetImport,
  type OnnxValueInfo,
  readOpsetImport,
  readValueInfo,
} from './onnx-signature.js';
import {
  type ProtobufField,
  ProtobufFileReader,
  ProtobufFormatError,
} from './protobuf-file-reader.js';

/** What the preflight saw in an ONNX file. */
export interface OnnxSummary {
  readonly irVersion: number;
  /** Operator sets the model imports; the default domain is named `ai.onnx`. */
  readonly opsetImports: readonly OnnxOpsetImport[];
  /** Inputs of the main graph, without those an initializer feeds (IR < 4 lists weights as inputs). */
  readonly inputs: readonly OnnxValueInfo[];
  /** Outputs of the main graph. */
  readonly outputs: readonly OnnxValueInfo[];
  readonly nodeCount: number;
  readonly initializerCount: number;
  /** External data files the model references, relative to the model folder. */
  readonly externalDataFiles: readonly string[];
}

const MAX_GRAPH_DEPTH = 16;

// Field numbers from onnx/onnx.proto.
const MODEL = { irVersion: 1, graph: 7, opsetImport: 8, functions: 25 };
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, sparseInitializer: 15 };
const NODE = { attribute: 5 };
const ATTRIBUTE = { t: 5, g: 6, tensors: 10, graphs: 11, sparseTensor: 22, sparseTensors: 23 };
const FUNCTION = { node: 7 };
const SPARSE = { values: 1, indices: 2 };
const TENSOR = { name: 8, externalData: 13, dataLocation: 14 };
const ENTRY = { key: 1, value: 2 };

interface WalkState {
  readonly reader: ProtobufFileReader;
  readonly path: string;
  readonly shownPath: string;
  readonly modelRoot: string;
  readonly realModelRoot: string;
  readonly signal: AbortSignal;
  nodeCount: number;
  initializerCount: number;
  fieldsSeen: number;
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
  /** Names of the main graph's initializers, to tell weights from real inputs. */
  readonly initializerNames: Set<string>;
  readonly checkedLocations: Map<string, { sizeInBytes: number; relativePath: string }>;
}

/**
 * Preflight of one ONNX file: it must be a well-formed protobuf `ModelProto` with a graph, and every
 * tensor stored as external data must point at a file inside the model folder (no absolute path, no
 * `..` out of it, no symlink out of it: the ONNX external-data path traversal class of bugs) whose
 * size covers the tensor's offset and length. Weights are skipped by offset, never read.
 *
 * @param path absolute path of the ONNX file
 * @param modelRoot the model folder external data must stay in
 * @param shownPath the path as shown in messages (relative to the model folder)
 */
export async function inspectOnnxFile(
  path: string,
  modelRoot: string,
  shownPath: string,
  signal: AbortSignal,
): Promise<OnnxSummary> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const state: WalkState = {
      reader: new ProtobufFileReader(handle, size),
      path,
      shownPath,
      modelRoot,
      realModelRoot: await realpath(modelRoot),
      signal,
      nodeCount: 0,
      initializerCount: 0,
      fieldsSeen: 0,
      inputs: [],
      outputs: [],
      initializerNames: new Set(),
      checkedLocations: new Map(),
    };
    let irVersion = 0;
    const opsetImports: OnnxOpsetImport[] = [];
    let graphCount = 0;
    try {
      for await (const field of state.reader.fields(0, size)) {
        tick(state);
        if (field.fieldNumber === MODEL.irVersion && field.wireType === 0) {
          irVersion = Number(field.value);
        } else if (field.fieldNumber === MODEL.graph && field.wireType === 2) {
          graphCount += 1;
          await walkGraph(state, field, 0);
        } else if (field.fieldNumber === MODEL.opsetImport && field.wireType === 2) {
          opsetImports.push(await readOpsetImport(state.reader, field));
        } else if (field.fieldNumber === MODEL.functions && field.wireType === 2) {
          for await (const inner of state.reader.fields(field.start, field.end)) {
            if (inner.fieldNumber === FUNCTION.node && inner.wireType === 2) {
              await walkNode(state, inner, 0);
            }
          }
        }
      }
    } catch (error) {
      if (error instanceof ProtobufFormatError) {
        throw corrupt(state, `is not a valid ONNX protobuf (${error.message})`, error);
      }
      throw error;
    }
    if (graphCount === 0) throw corrupt(state, 'is not an ONNX model: the ModelProto has no graph');
    if (state.nodeCount === 0) throw corrupt(state, 'has an empty ONNX graph (no nodes)');
    return {
      irVersion,
      opsetImports,
      inputs: state.inputs.filter((input) => !state.initializerNames.has(input.name)),
      outputs: state.outputs,
      nodeCount: state.nodeCount,
      initializerCount: state.initializerCount,
      externalDataFiles: [
        ...new Set([...state.checkedLocations.values()].map((v) => v.relativePath)),
      ],
    };
  } finally {
    await handle.close();
  }
}

function corrupt(
  state: Pick<WalkState, 'path' | 'shownPath'>,
  problem: string,
  cause?: unknown,
): ModelLoaderError {
  return new ModelLoaderError('MODEL_FILE_CORRUPT', `Model file ${state.shownPath} ${problem}`, {
    path: state.path,
    ...(cause === undefined ? {} : { cause }),
  });
}

function tick(state: WalkState): void {
  state.fieldsSeen += 1;
  if (state.fieldsSeen % 1024 === 0) state.signal.throwIfAborted();
}

async function walkGraph(state: WalkState, graph: ProtobufField, depth: number): Promise<void> {
  if (depth > MAX_GRAPH_DEPTH)
    throw corrupt(state, `nests subgraphs deeper than ${MAX_GRAPH_DEPTH}`);
  for await (const field of state.reader.fields(graph.start, graph.end)) {
    tick(state);
    if (field.wireType !== 2) continue;
    if (field.fieldNumber === GRAPH.node) await walkNode(state, field, depth);
    else if (field.fieldNumber === GRAPH.initializer) {
      state.initializerCount += 1;
      const name = await walkTensor(state, field);
      if (depth === 0 && name !== undefined) state.initializerNames.add(name);
    } else if (depth === 0 && field.fieldNumber === GRAPH.input) {
      state.inputs.push(await readValueInfo(state.reader, field));
    } else if (depth === 0 && field.fieldNumber === GRAPH.output) {
      state.outputs.push(await readValueInfo(state.reader, field));
    } else if (field.fieldNumber === GRAPH.sparseInitializer) {
      state.initializerCount += 1;
      await walkSparseTensor(state, field);
    }
  }
}

async function walkNode(state: WalkState, node: ProtobufField, depth: number): Promise<void> {
  state.nodeCount += 1;
  for await (const field of state.reader.fields(node.start, node.end)) {
    if (field.fieldNumber !== NODE.attribute || field.wireType !== 2) continue;
    for await (const attribute of state.reader.fields(field.start, field.end)) {
      if (attribute.wireType !== 2) continue;
      const n = attribute.fieldNumber;
      if (n === ATTRIBUTE.t || n === ATTRIBUTE.tensors) await walkTensor(state, attribute);
      else if (n === ATTRIBUTE.g || n === ATTRIBUTE.graphs)
        await walkGraph(state, attribute, depth + 1);
      else if (n === ATTRIBUTE.sparseTensor || n === ATTRIBUTE.sparseTensors) {
        await walkSparseTensor(state, attribute);
      }
    }
  }
}

async function walkSparseTensor(state: WalkState, sparse: ProtobufField): Promise<void> {
  for await (const field of state.reader.fields(sparse.start, sparse.end)) {
    if (field.wireType !== 2) continue;
    if (field.fieldNumber === SPARSE.values || field.fieldNumber === SPARSE.indices) {
      await walkTensor(state, field);
    }
  }
}

/** Checks a tensor's external data, if any; returns the tensor's name. */
async function walkTensor(state: WalkState, tensor: ProtobufField): Promise<string | undefined> {
  const entries = new Map<string, string>();
  let external = false;
  let name: string | undefined;
  for await (const field of state.reader.fields(tensor.start, tensor.end)) {
    if (field.fieldNumber === TENSOR.name && field.wireType === 2) {
      name = await state.reader.string(field);
    } else if (field.fieldNumber === TENSOR.dataLocation && field.wireType === 0) {
      external = field.value === 1n;
    } else if (field.fieldNumber === TENSOR.externalData && field.wireType === 2) {
      let key = '';
      let value = '';
      for await (const entry of state.reader.fields(field.start, field.end)) {
        if (entry.wireType !== 2) continue;
        if (entry.fieldNumber === ENTRY.key) key = await state.reader.string(entry);
        else if (entry.fieldNumber === ENTRY.value) value = await state.reader.string(entry);
      }
      entries.set(key, value);
    }
  }
  if (external || entries.size > 0) await checkExternalData(state, entries);
  return name;
}

async function checkExternalData(state: WalkState, entries: Map<string, string>): Promise<void> {
  const location = entries.get('location');
  if (location === undefined || location === '') {
    throw corrupt(state, 'has a tensor stored as external data without a location');
  }
  const offset = parseCount(state, entries.get('offset'), 'offset');
  const length = parseCount(state, entries.get('length'), 'length');
  let checked = state.checkedLocations.get(location);
  if (checked === undefined) {
    checked = await checkLocation(state, location);
    state.checkedLocations.set(location, checked);
  }
  if (length !== undefined && (offset ?? 0) + length > checked.sizeInBytes) {
    throw corrupt(
      state,
      `references bytes ${offset ?? 0}..${(offset ?? 0) + length} of ${checked.relativePath}, which has ${checked.sizeInBytes} bytes`,
    );
  }
}

function parseCount(state: WalkState, text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text))
    throw corrupt(state, `has an external data ${name} that is not a count: ${text}`);
  return Number(text);
}

function outside(state: WalkState, location: string, why: string): ModelLoaderError {
  return new ModelLoaderError(
    'MODEL_PATH_OUTSIDE_ROOT',
    `Model file ${state.shownPath} references external data outside the model folder (${why}): ${location}`,
    { path: state.path, actual: location },
  );
}

/** True when a path relative to the root stays inside it. */
function isInside(fromRoot: string): boolean {
  return fromRoot !== '..' && !fromRoot.startsWith('../') && !isAbsolute(fromRoot);
}

async function checkLocation(
  state: WalkState,
  location: string,
): Promise<{ sizeInBytes: number; relativePath: string }> {
  // Both separators count: a Windows-style path must not slip through on either platform.
  const portable = location.replaceAll('\\', '/');
  if (isAbsolute(portable) || /^[A-Za-z]:/.test(portable)) {
    throw outside(state, location, 'absolute path');
  }
  const target = resolve(dirname(state.path), portable);
  const fromRoot = relative(state.modelRoot, target);
  if (!isInside(fromRoot)) throw outside(state, location, '`..` leaves it');
  let real: string;
  try {
    real = await realpath(target);
  } catch (error) {
    throw new ModelLoaderError(
      'MODEL_FILE_NOT_FOUND',
      `Model file ${state.shownPath} references external data that does not exist: ${location}`,
      { path: target, cause: error },
    );
  }
  if (!isInside(relative(state.realModelRoot, real))) {
    throw outside(state, location, 'a symlink leads out of it');
  }
  const info = await stat(real);
  if (!info.isFile()) {
    throw new ModelLoaderError(
      'MODEL_FILE_NOT_REGULAR',
      `Model file ${state.shownPath} references external data that is not a regular file: ${location}`,
      { path: target },
    );
  }
  return { sizeInBytes: info.size, relativePath: fromRoot.split('\\').join('/') };
}
