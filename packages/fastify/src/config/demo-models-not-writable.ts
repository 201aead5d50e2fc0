import { ModelLoaderError } from '@model-loader/core';

/**
 * The error of a start with no models file in a model directory the demo models cannot be written
 * to (a read-only volume, a container's root-owned `/models`): CONFIG_INVALID with the fix, instead
 * of a raw `EACCES`. Errors that are not the file system's are returned unchanged.
 */
export function demoModelsNotWritable(modelDir: string, cause: unknown): unknown {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return cause;
  return new ModelLoaderError(
    'CONFIG_INVALID',
    `No models file (MODELS_FILE is not set and there is no models.yaml in the working directory), and the demo models cannot be written into ${modelDir} (${code}). Set MODELS_FILE to your models file, or make MODEL_DIR writable for the demo models.`,
    { path: modelDir, cause },
  );
}
