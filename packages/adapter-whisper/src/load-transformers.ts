import { createOptionalModuleImport } from '@model-loader/core';

/**
 * Imports @huggingface/transformers on first use (it loads onnxruntime's native binary), once; a
 * missing package is `RUNTIME_NOT_INSTALLED`, never retried with backoff.
 * Remote model loading is switched off for the whole library: models come from local folders only.
 */
export const loadTransformers = createOptionalModuleImport({
  packageName: '@huggingface/transformers',
  requiredBy: '@model-loader/adapter-whisper',
  importModule: () => import('@huggingface/transformers'),
  select: (transformers) => {
    transformers.env.allowRemoteModels = false;
    transformers.env.allowLocalModels = true;
    return transformers;
  },
});
