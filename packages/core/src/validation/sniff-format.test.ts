import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sniffFormat } from './sniff-format.js';

function safetensorsHead(): Uint8Array {
  const head = new Uint8Array(16);
  new DataView(head.buffer).setBigUint64(0, 120n, true);
  head.set(Buffer.from('{"__m'), 8);
  return head;
}

describe('sniffFormat', () => {
  it.each([
    ['gguf', Buffer.from('GGUF\u0003\u0000\u0000\u0000')],
    ['ggml', Buffer.from('tjgg\u0001\u0000\u0000\u0000')],
    ['zip', Buffer.from('PK\u0003\u0004\u0014\u0000')],
    ['pickle', Buffer.from([0x80, 0x04, 0x95, 0x00])],
    ['onnx', Buffer.from([0x08, 0x08, 0x12, 0x07])],
    ['safetensors', safetensorsHead()],
    ['unknown', Buffer.from('hello world, not a model')],
    ['unknown', Buffer.alloc(0)],
  ])('recognises %s', (format, head) => {
    expect(sniffFormat(head)).toBe(format);
  });

  it('returns a format for any bytes and never throws', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (head) => {
        expect(typeof sniffFormat(head)).toBe('string');
      }),
    );
  });
});
