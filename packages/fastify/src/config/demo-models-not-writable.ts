import { ModelLoaderError } from '@model-loader/core';

/**
 * The error of a demo start (DEMO=1) in a model directory the demo models cannot be written to (a
 * read-only volume, a container's root-owned `/models`): CONFIG_INVALID naming what was being
 * written and the fix, instead of a raw `EACCES`. Errors that are not the file system's are
 * returned unchanged.
 */
export function demoModelsNotWritable(modelDir: string, cause: unknown): unknown {
  const failure = cause as NodeJS.ErrnoException | undefined;
  const code = failure?.code;
  if (typeof code !== 'string') return cause;
  const what =
    typeof failure?.path === 'string' && failure.path !== modelDir
      ? `: writing ${failure.path} failed (${code})`
      : ` (${code})`;
  return new ModelLoaderError(
    'CONFIG_INVALID',
    `DEMO=1, but the demo models cannot be written into ${modelDir}${what}. Make MODEL_DIR a writable folder for the demo models, or set MODELS_FILE to your own models file and unset DEMO.`,
    { path: modelDir, cause },
  );
}
