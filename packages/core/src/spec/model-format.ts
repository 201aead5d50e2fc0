/** File formats the engine recognises by their magic bytes. */
export type ModelFormat = 'gguf' | 'ggml' | 'onnx' | 'safetensors' | 'zip' | 'pickle' | 'unknown';

/** How formats are named in messages. */
export const modelFormatLabels: Record<ModelFormat, string> = {
  gguf: 'GGUF',
  ggml: 'ggml',
  onnx: 'ONNX',
  safetensors: 'safetensors',
  zip: 'zip/pickle',
  pickle: 'zip/pickle',
  unknown: 'unknown',
};
