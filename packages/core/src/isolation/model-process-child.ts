/**
 * Entry point of a model process (forked by `ModelProcess`). It imports the adapter named by the
 * `init` request, runs `estimateMemory`, `load` and every handle method here, and answers over the
 * IPC channel. It exits as soon as that channel closes, so a parent that dies (even by SIGKILL)
 * leaves no model process behind.
 */
import type { LoadContext } from '../spec/load-context.js';
import type { Logger } from '../spec/logger.js';
import type { ModelAdapter } from '../spec/model-adapter.js';
import { importProcessEntry } from './import-process-entry.js';
import {
  type ChildMessage,
  type HandleDescription,
  type ParentMessage,
  type ProcessRequest,
  toWireError,
  unmarshalArguments,
} from './ipc-protocol.js';

type Handle = Record<string, unknown>;

let adapter: ModelAdapter<unknown, unknown> | undefined;
let handle: Handle | undefined;
/** Live AbortControllers of each running request, by the argument index of their signal. */
const controllers = new Map<number, Map<number, AbortController>>();
const iterators = new Map<number, AsyncIterator<unknown>>();

function send(message: ChildMessage): void {
  // A lost channel makes `send` throw or report an error: the disconnect handler exits.
  if (process.connected) process.send?.(message, undefined, undefined, () => {});
}

function forwardLogger(fieldsOf: (fields: unknown) => unknown): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (fieldsOrMessage: unknown, message?: string) => {
      const text = typeof fieldsOrMessage === 'string' ? fieldsOrMessage : (message ?? '');
      const fields = typeof fieldsOrMessage === 'string' ? {} : fieldsOf(fieldsOrMessage);
      send({ type: 'log', level, fields, message: text });
    };
  const logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    trace: () => {},
    fatal: at('error'),
    child: () => logger,
  };
  return logger as unknown as Logger;
}

const logger = forwardLogger((fields) => {
  try {
    return structuredClone(fields);
  } catch {
    return {};
  }
});

function signalFor(id: number, index: number, aborted: boolean): AbortSignal {
  let byIndex = controllers.get(id);
  if (!byIndex) {
    byIndex = new Map();
    controllers.set(id, byIndex);
  }
  let controller = byIndex.get(index);
  if (!controller) {
    controller = new AbortController();
    byIndex.set(index, controller);
  }
  if (aborted) controller.abort(new DOMException('This operation was aborted', 'AbortError'));
  return controller.signal;
}

function describe(loaded: Handle, rssInBytes: number): HandleDescription {
  const methods: string[] = [];
  const values: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (let object: object | null = loaded; object && object !== Object.prototype; ) {
    for (const key of Object.getOwnPropertyNames(object)) {
      if (seen.has(key) || key === 'constructor') continue;
      seen.add(key);
      const value = (loaded as Record<string, unknown>)[key];
      if (typeof value === 'function') methods.push(key);
      else if (value === null || (typeof value !== 'object' && typeof value !== 'symbol')) {
        values[key] = value;
      }
    }
    object = Object.getPrototypeOf(object) as object | null;
  }
  return { methods, values, rssInBytes };
}

async function streamOut(id: number, iterable: AsyncIterable<unknown>): Promise<unknown> {
  const iterator = iterable[Symbol.asyncIterator]();
  iterators.set(id, iterator);
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    send({ type: 'chunk', id, value: next.value });
  }
  const result = (iterable as { result?: unknown }).result;
  return result instanceof Promise ? await result : undefined;
}

async function run(id: number, request: ProcessRequest): Promise<unknown> {
  switch (request.op) {
    case 'init':
      adapter = await importProcessEntry(request.entry);
      return null;
    case 'estimate':
      if (!adapter) throw new Error('the model process was not initialised');
      return (
        (await adapter.estimateMemory?.(request.path, request.options, request.inspection)) ?? null
      );
    case 'load': {
      if (!adapter) throw new Error('the model process was not initialised');
      const context: LoadContext = {
        modelName: request.modelName,
        attempt: request.attempt,
        signal: signalFor(id, 0, false),
        logger,
        onProgress: (progress) => send({ type: 'progress', id, progress }),
      };
      handle = (await adapter.load(request.path, request.options, context)) as Handle;
      return describe(handle, process.memoryUsage.rss());
    }
    case 'call': {
      if (!handle) throw new Error('no model is loaded in this process');
      const method = handle[request.method];
      if (typeof method !== 'function') throw new Error(`no method \`${request.method}\``);
      const args = unmarshalArguments(
        request.args,
        (index, aborted) => signalFor(id, index, aborted),
        (index) =>
          (...callbackArgs: unknown[]) =>
            send({ type: 'callback', id, index, args: callbackArgs }),
      );
      const value: unknown = method.apply(handle, args);
      if (value !== null && typeof value === 'object' && Symbol.asyncIterator in value) {
        return streamOut(id, value as AsyncIterable<unknown>);
      }
      return await value;
    }
    case 'dispose': {
      const loaded = handle;
      handle = undefined;
      if (loaded && adapter?.dispose) await adapter.dispose(loaded);
      return null;
    }
    case 'usage':
      return { rssInBytes: process.memoryUsage.rss() };
  }
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'request': {
      const { id, request } = message;
      run(id, request)
        .then(
          (value) => send({ type: 'result', id, ok: true, value }),
          (error: unknown) => send({ type: 'result', id, ok: false, error: toWireError(error) }),
        )
        .finally(() => {
          controllers.delete(id);
          iterators.delete(id);
        });
      return;
    }
    case 'abort':
      controllers
        .get(message.id)
        ?.get(message.index)
        ?.abort(
          message.reason instanceof Error || message.reason instanceof DOMException
            ? message.reason
            : new DOMException('This operation was aborted', 'AbortError'),
        );
      return;
    case 'cancel':
      void iterators.get(message.id)?.return?.();
      return;
    case 'ping':
      send({ type: 'pong', id: message.id });
      return;
  }
});

// The parent went away (closed the channel, or died): a model process never outlives it.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group; the parent decides when its model processes end.
process.on('SIGINT', () => {});
