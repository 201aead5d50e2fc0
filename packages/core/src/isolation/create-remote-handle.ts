import { type ChunkStream, createChunkStream } from '../streams/create-chunk-stream.js';
import type { HandleDescription } from './ipc-protocol.js';
import type { ModelProcess } from './model-process.js';

const processOf = Symbol.for('@model-loader/core.modelProcess');

/** What the engine can read of an isolated model's process. */
export interface RemoteProcessInfo {
  readonly pid: number;
  /** Resident set size of the process right after the load. */
  readonly rssInBytes: number;
}

/** The process behind a handle made by `createRemoteHandle`, or undefined for an in-process model. */
export function remoteProcessInfo(handle: unknown): RemoteProcessInfo | undefined {
  if (typeof handle !== 'object' || handle === null || !(processOf in handle)) return undefined;
  return (handle as { [processOf]: RemoteProcessInfo })[processOf];
}

/** The `ModelProcess` behind a remote handle. */
export function modelProcessOf(handle: unknown): ModelProcess | undefined {
  if (typeof handle !== 'object' || handle === null) return undefined;
  return (handle as { [processOf]?: { process: ModelProcess } })[processOf]?.process;
}

/** An async iterable of a call's chunks with the call's final value as `result`. */
function remoteStream(
  child: ModelProcess,
  method: string,
  args: unknown[],
): ChunkStream<unknown, unknown> {
  return createChunkStream<unknown, unknown>((onChunk) => {
    const { id, result } = child.start({ op: 'call', method, args }, { onChunk });
    // Breaking out of the loop stops the generation in the child, as it does in process.
    return { result, cancel: () => child.cancel(id) };
  });
}

/**
 * The parent's view of a handle that lives in `child`: each method becomes an IPC call (a stream for
 * `streamingMethods`), primitive properties are the values the child reported after the load.
 * `dispose` ends the process.
 */
export function createRemoteHandle(
  child: ModelProcess,
  description: HandleDescription,
  streamingMethods: readonly string[],
  dispose: () => Promise<void>,
): Record<string | symbol, unknown> {
  const handle: Record<string | symbol, unknown> = { ...description.values };
  const streaming = new Set(streamingMethods);
  for (const method of description.methods) {
    if (method === 'dispose') continue;
    handle[method] = streaming.has(method)
      ? (...args: unknown[]) => remoteStream(child, method, args)
      : (...args: unknown[]) => child.request({ op: 'call', method, args });
  }
  handle.dispose = dispose;
  Object.defineProperty(handle, processOf, {
    value: { pid: child.pid, rssInBytes: description.rssInBytes, process: child },
    enumerable: false,
  });
  return handle;
}
