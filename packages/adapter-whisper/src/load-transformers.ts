type Transformers = typeof import('@huggingface/transformers');

let transformersPromise: Promise<Transformers> | undefined;

/**
 * Imports @huggingface/transformers on first use (it loads onnxruntime's native binary), once.
 * Remote model loading is switched off for the whole library: models come from local folders only.
 */
export function loadTransformers(): Promise<Transformers> {
  transformersPromise ??= import('@huggingface/transformers').then(
    (transformers) => {
      transformers.env.allowRemoteModels = false;
      transformers.env.allowLocalModels = true;
      return transformers;
    },
    (error: unknown) => {
      transformersPromise = undefined;
      throw new Error(
        'Cannot import @huggingface/transformers: install it next to @model-loader/adapter-whisper (`pnpm add @huggingface/transformers`).',
        { cause: error },
      );
    },
  );
  return transformersPromise;
}
