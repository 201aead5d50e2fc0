import { createOptionalModuleImport } from '@model-loader/core';

/**
 * Imports node-llama-cpp (a native binary) on first use, once; a missing package is
 * `RUNTIME_NOT_INSTALLED`, and the next call tries again.
 */
export const importNodeLlamaCpp = createOptionalModuleImport({
  packageName: 'node-llama-cpp',
  requiredBy: '@model-loader/adapter-gguf',
  importModule: () => import('node-llama-cpp'),
  hint: 'Use node-llama-cpp@3.21.1, or pass a `llama` instance.',
});
