import { ModelLoaderError } from '@model-loader/core';

type NodeLlamaCpp = typeof import('node-llama-cpp');
let modulePromise: Promise<NodeLlamaCpp> | undefined;

/** Imports node-llama-cpp on first use (a native binary), caching the promise; a failure is retried next time. */
export function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import('node-llama-cpp').catch((cause: unknown) => {
    modulePromise = undefined;
    throw new ModelLoaderError(
      'MODEL_LOAD_FAILED',
      'Could not import node-llama-cpp: install node-llama-cpp@3.21.1 next to @model-loader/adapter-gguf, or pass a `llama` instance',
      { cause, isRetryable: false },
    );
  });
  return modulePromise;
}
