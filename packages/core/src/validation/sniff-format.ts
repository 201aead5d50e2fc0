import { open } from 'node:fs/promises';
import type { ModelFormat } from '../spec/model-format.js';

/** Bytes read from the start of a file to recognise its format. */
export const SNIFF_LENGTH_IN_BYTES = 16;

const ggmlMagics = new Set(['lmgg', 'fmgg', 'tjgg', 'algg']);

/**
 * Names the format of a file from its first bytes. Facts used: GGUF files start with `GGUF`; legacy
 * ggml/ggmf/ggjt files with the little-endian magic words (`lmgg` ...); safetensors with a u64
 * little-endian header length followed by `{`; PyTorch zip archives with `PK\x03\x04`; pickles with
 * the PROTO opcode 0x80 and a protocol 2-5; an ONNX ModelProto with field 1 (ir_version, varint).
 */
export function sniffFormat(head: Uint8Array): ModelFormat {
  const ascii = String.fromCharCode(...head.subarray(0, 4));
  if (ascii === 'GGUF') return 'gguf';
  if (ggmlMagics.has(ascii)) return 'ggml';
  if (ascii === 'PK\u0003\u0004') return 'zip';
  if (head[0] === 0x80 && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) return 'pickle';
  if (head.length >= 9 && head[8] === 0x7b) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const headerLength = view.getBigUint64(0, true);
    if (headerLength > 1n && headerLength < 100_000_000n) return 'safetensors';
  }
  // ONNX: tag of field 1 (ir_version, wire type varint) followed by a small version number.
  if (head[0] === 0x08 && head[1] !== undefined && head[1] > 0 && head[1] < 0x40) return 'onnx';
  return 'unknown';
}

/** Reads the first bytes of `path` and names its format. */
export async function sniffFileFormat(path: string): Promise<ModelFormat> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(SNIFF_LENGTH_IN_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_LENGTH_IN_BYTES, 0);
    return sniffFormat(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
