import { ModelLoaderError } from '@model-loader/core';

type OnnxRuntime = typeof import('onnxruntime-node');
type Sharp = typeof import('sharp')['default'];

let onnxRuntime: Promise<OnnxRuntime> | undefined;
let sharp: Promise<Sharp> | undefined;

/** onnxruntime-node, imported on first use so that importing this package loads no native code. */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  onnxRuntime ??= import('onnxruntime-node').then(
    (module) => ((module as { default?: OnnxRuntime }).default ?? module) as OnnxRuntime,
    (error: unknown) => {
      onnxRuntime = undefined;
      throw importError('onnxruntime-node', error);
    },
  );
  return onnxRuntime;
}

/** sharp (libvips), imported on first use. */
export function loadSharp(): Promise<Sharp> {
  sharp ??= import('sharp').then(
    (module) => module.default,
    (error: unknown) => {
      sharp = undefined;
      throw importError('sharp', error);
    },
  );
  return sharp;
}

function importError(name: string, error: unknown): ModelLoaderError {
  return new ModelLoaderError(
    'MODEL_LOAD_FAILED',
    `Cannot import ${name}: ${(error as Error)?.message ?? String(error)}. Install it next to @model-loader/adapter-ocr (\`pnpm add ${name}\`); its prebuilt binary for this platform must be present.`,
    { cause: error, isRetryable: false },
  );
}
