import { createOptionalModuleImport } from '@model-loader/core';

type OnnxRuntime = typeof import('onnxruntime-node');

/** onnxruntime-node, imported on first use so that importing this package loads no native code. */
export const loadOnnxRuntime = createOptionalModuleImport({
  packageName: 'onnxruntime-node',
  requiredBy: '@model-loader/adapter-ocr',
  importModule: () => import('onnxruntime-node'),
  select: (module) => ((module as { default?: OnnxRuntime }).default ?? module) as OnnxRuntime,
});

/** sharp (libvips), imported on first use. */
export const loadSharp = createOptionalModuleImport({
  packageName: 'sharp',
  requiredBy: '@model-loader/adapter-ocr',
  importModule: () => import('sharp'),
  select: (module) => module.default,
});
