// An adapter for the isolation tests, imported by model processes as plain JavaScript (the child
// runs compiled code only). Its handle crashes, hangs and streams on request.
import { readFile } from 'node:fs/promises';

export function createProcessTestAdapter(settings = {}) {
  return {
    name: 'process-test',
    specVersion: 2,
    kind: 'file',
    async estimateMemory(path, options, inspection) {
      if (options?.hangInEstimate) for (;;);
      // The inspection the parent forwarded, when it carries a size.
      const inspectedBytes = inspection?.details?.sizeInBytes;
      if (typeof inspectedBytes === 'number') return inspectedBytes * (settings.factor ?? 1);
      return (await readFile(path)).length * (settings.factor ?? 1);
    },
    async load(path, _options, context) {
      const text = await readFile(path, 'utf8');
      if (text.startsWith('crash-on-load')) process.kill(process.pid, 'SIGSEGV');
      if (text.startsWith('abort-on-load')) process.abort();
      if (text.startsWith('hang-on-load')) await new Promise(() => {});
      context.onProgress({ step: 'load', done: 1, total: 1 });
      context.logger.info({ pid: process.pid }, 'test model loaded');
      let disposed = false;
      return {
        label: settings.label ?? 'test',
        pid: process.pid,
        content: text,
        nested: { notCopied: true },
        async echo(value) {
          return value;
        },
        async describeBytes(bytes) {
          return {
            isUint8Array: bytes instanceof Uint8Array,
            length: bytes.length,
            first: bytes[0],
          };
        },
        async fail() {
          const error = new Error('the model refused');
          error.name = 'RefusedError';
          throw error;
        },
        async waitForAbort(options) {
          if (options.blockFirstInMs) {
            const until = Date.now() + options.blockFirstInMs;
            while (Date.now() < until);
          }
          await new Promise((_resolve, reject) => {
            options.signal.addEventListener('abort', () => reject(options.signal.reason), {
              once: true,
            });
          });
        },
        async report(onValue) {
          onValue('first');
          onValue('second');
          return 'reported';
        },
        stream(count, options = {}) {
          let emitted = 0;
          const result = (async () => {
            for (let i = 0; i < count; i++) {
              if (options.signal?.aborted) throw options.signal.reason;
              await new Promise((resolve) => setTimeout(resolve, options.delayInMs ?? 0));
              emitted++;
            }
            return { emitted };
          })();
          return {
            result,
            async *[Symbol.asyncIterator]() {
              for (let i = 0; i < count; i++) {
                if (options.signal?.aborted) throw options.signal.reason;
                await new Promise((resolve) => setTimeout(resolve, options.delayInMs ?? 0));
                yield `chunk ${i}`;
              }
              await result;
            },
          };
        },
        async crash(signal) {
          process.kill(process.pid, signal);
          await new Promise(() => {});
        },
        async block(milliseconds) {
          const until = Date.now() + milliseconds;
          while (Date.now() < until);
          return 'unblocked';
        },
        isDisposed() {
          return disposed;
        },
        async dispose() {
          disposed = true;
        },
      };
    },
    dispose(handle) {
      return handle.dispose();
    },
  };
}

export const processTestEntry = {
  module: import.meta.url,
  exportName: 'createProcessTestAdapter',
  streamingMethods: ['stream'],
};
