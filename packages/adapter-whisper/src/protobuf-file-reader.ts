import type { FileHandle } from 'node:fs/promises';

/** One field of a protobuf message, located in the file without reading its payload. */
export interface ProtobufField {
  readonly fieldNumber: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  readonly wireType: 0 | 1 | 2 | 5;
  /** Varint value (wire type 0). */
  readonly value: bigint;
  /** Start of the payload (wire types 1, 2, 5). */
  readonly start: number;
  /** End of the payload (exclusive). */
  readonly end: number;
}

/** Thrown for bytes that are not a well-formed protobuf message. */
export class ProtobufFormatError extends Error {
  override readonly name = 'ProtobufFormatError';
}

const WINDOW_IN_BYTES = 64 * 1024;

/**
 * Reads protobuf fields straight from a file through a small window, so a preflight walks the
 * structure of a multi-gigabyte ONNX model without holding it in memory: payloads (weights) are
 * skipped by offset, never read.
 */
export class ProtobufFileReader {
  private window = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly sizeInBytes: number,
  ) {}

  private async byteAt(offset: number): Promise<number> {
    if (offset < this.windowStart || offset >= this.windowStart + this.window.length) {
      const length = Math.min(WINDOW_IN_BYTES, this.sizeInBytes - offset);
      if (length <= 0) throw new ProtobufFormatError(`unexpected end of data at byte ${offset}`);
      const buffer = new Uint8Array(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = offset;
      if (bytesRead === 0)
        throw new ProtobufFormatError(`unexpected end of data at byte ${offset}`);
    }
    return this.window[offset - this.windowStart]!;
  }

  private async varint(offset: number, end: number): Promise<{ value: bigint; next: number }> {
    let value = 0n;
    let shift = 0n;
    let position = offset;
    for (let i = 0; i < 10; i += 1) {
      if (position >= end) throw new ProtobufFormatError(`truncated varint at byte ${offset}`);
      const byte = await this.byteAt(position);
      position += 1;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return { value, next: position };
      shift += 7n;
    }
    throw new ProtobufFormatError(`varint longer than 10 bytes at byte ${offset}`);
  }

  /** Reads `end - start` bytes (for small payloads such as strings). */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    const buffer = new Uint8Array(end - start);
    if (buffer.length > 0) await this.handle.read(buffer, 0, buffer.length, start);
    return buffer;
  }

  /** A UTF-8 string payload. */
  async string(field: ProtobufField): Promise<string> {
    return new TextDecoder().decode(await this.bytes(field.start, field.end));
  }

  /** The fields of the message that spans [start, end); throws `ProtobufFormatError` on bad bytes. */
  async *fields(start: number, end: number): AsyncGenerator<ProtobufField> {
    let position = start;
    while (position < end) {
      const tag = await this.varint(position, end);
      const fieldNumber = Number(tag.value >> 3n);
      const wireType = Number(tag.value & 7n);
      position = tag.next;
      if (fieldNumber === 0) throw new ProtobufFormatError(`field number 0 at byte ${position}`);
      if (wireType === 0) {
        const value = await this.varint(position, end);
        yield { fieldNumber, wireType, value: value.value, start: position, end: value.next };
        position = value.next;
      } else if (wireType === 1 || wireType === 5) {
        const size = wireType === 1 ? 8 : 4;
        if (position + size > end) throw new ProtobufFormatError(`truncated field ${fieldNumber}`);
        yield { fieldNumber, wireType, value: 0n, start: position, end: position + size };
        position += size;
      } else if (wireType === 2) {
        const length = await this.varint(position, end);
        const payloadEnd = length.next + Number(length.value);
        if (length.value > BigInt(end - length.next)) {
          throw new ProtobufFormatError(
            `field ${fieldNumber} claims ${length.value} bytes but only ${end - length.next} remain`,
          );
        }
        yield { fieldNumber, wireType, value: length.value, start: length.next, end: payloadEnd };
        position = payloadEnd;
      } else {
        throw new ProtobufFormatError(`unsupported wire type ${wireType} at byte ${position}`);
      }
    }
  }
}
