import { ModelLoaderError } from '@model-loader/core';

/** Thrown when the parser needs bytes beyond the window read so far (the file has them). */
export class NeedMoreBytes {
  constructor(readonly requiredLength: number) {}
}

/**
 * Reads little-endian GGUF fields from the first bytes of a file. Every read is checked against the
 * file size first (past it: MODEL_FILE_CORRUPT naming the field), then against the window of bytes
 * read so far (past it: NeedMoreBytes, and the caller reads more and parses again).
 */
export class GgufByteReader {
  position = 0;
  private readonly view: DataView;
  private readonly buffer: Buffer;

  constructor(
    window: Uint8Array,
    readonly fileSizeInBytes: number,
    readonly path: string,
  ) {
    this.view = new DataView(window.buffer, window.byteOffset, window.byteLength);
    this.buffer = Buffer.from(window.buffer, window.byteOffset, window.byteLength);
  }

  /** Throws MODEL_FILE_CORRUPT with the reason. */
  fail(reason: string): never {
    throw new ModelLoaderError('MODEL_FILE_CORRUPT', `Corrupt GGUF file: ${reason}`, {
      path: this.path,
    });
  }

  /** Bytes left between the position and the end of the file. */
  get remainingInBytes(): number {
    return this.fileSizeInBytes - this.position;
  }

  /** Makes sure `length` bytes can be read at the position. */
  need(length: number, what: string): void {
    const end = this.position + length;
    if (end > this.fileSizeInBytes) {
      this.fail(
        `${what} at offset ${this.position} needs ${length} bytes but the file ends at ${this.fileSizeInBytes} (truncated?)`,
      );
    }
    if (end > this.view.byteLength) throw new NeedMoreBytes(end);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.position++);
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.view.getUint32(this.position, true);
    this.position += 4;
    return value;
  }

  u64Big(what: string): bigint {
    this.need(8, what);
    const value = this.view.getBigUint64(this.position, true);
    this.position += 8;
    return value;
  }

  i64Big(what: string): bigint {
    this.need(8, what);
    const value = this.view.getBigInt64(this.position, true);
    this.position += 8;
    return value;
  }

  /** Reads `width` bytes of a numeric scalar and returns it as a number (or bigint for 64-bit). */
  scalar(typeId: number, what: string): number | bigint | boolean {
    const width = scalarWidths[typeId] ?? 0;
    this.need(width, what);
    const at = this.position;
    this.position += width;
    return this.scalarAt(typeId, at);
  }

  /** The scalar of type `typeId` at `at`, a position the caller has already checked. */
  scalarAt(typeId: number, at: number): number | bigint | boolean {
    const view = this.view;
    switch (typeId) {
      case 0:
        return view.getUint8(at);
      case 1:
        return view.getInt8(at);
      case 2:
        return view.getUint16(at, true);
      case 3:
        return view.getInt16(at, true);
      case 4:
        return view.getUint32(at, true);
      case 5:
        return view.getInt32(at, true);
      case 6:
        return view.getFloat32(at, true);
      case 7:
        return view.getUint8(at) !== 0;
      case 10:
        return view.getBigUint64(at, true);
      case 11:
        return view.getBigInt64(at, true);
      default:
        return view.getFloat64(at, true);
    }
  }

  /** Skips `length` bytes (already bounded by the caller against the file). */
  skip(length: number, what: string): void {
    this.need(length, what);
    this.position += length;
  }

  /** The bytes read so far (the window), for spans returned by `skipString`. */
  get bytes(): Uint8Array {
    return this.buffer;
  }

  /**
   * Skips a GGUF string (u64 length then bytes) without decoding it and returns its length in
   * bytes; they end at the new `position`. The same checks and messages as `string`, but `what`
   * may be a function, called only to build an error message: no allocation per string on the
   * fast path (the vocabulary of a large model has 150k+ strings).
   */
  skipString(what: string | (() => string), maxLength: number): number {
    const at = this.position;
    const limit = Math.min(this.view.byteLength, this.fileSizeInBytes);
    if (at + 8 <= limit) {
      const low = this.view.getUint32(at, true);
      const high = this.view.getUint32(at + 4, true);
      if (high === 0 && low <= maxLength && at + 8 + low <= limit) {
        this.position = at + 8 + low;
        return low;
      }
    }
    const name = typeof what === 'string' ? what : what();
    const declared = this.u64Big(`length of ${name}`);
    if (declared > BigInt(maxLength)) {
      this.fail(`${name} is ${declared} bytes long, more than the cap of ${maxLength}`);
    }
    const length = Number(declared);
    this.skip(length, name);
    return length;
  }

  /**
   * A GGUF string: u64 length then bytes. Returned as a latin1 string, one character per byte, so
   * comparisons are byte-exact as in llama.cpp (`std::string`); use `displayText` to show it.
   */
  string(what: string, maxLength: number): string {
    const declared = this.u64Big(`length of ${what}`);
    if (declared > BigInt(maxLength)) {
      this.fail(`${what} is ${declared} bytes long, more than the cap of ${maxLength}`);
    }
    const length = Number(declared);
    this.need(length, what);
    const text = this.buffer.toString('latin1', this.position, this.position + length);
    this.position += length;
    return text;
  }
}

/** Bytes of each scalar GGUF value type (0-7, 10-12). */
export const scalarWidths: Readonly<Record<number, number>> = {
  0: 1,
  1: 1,
  2: 2,
  3: 2,
  4: 4,
  5: 4,
  6: 4,
  7: 1,
  10: 8,
  11: 8,
  12: 8,
};

/** A byte-exact (latin1) string decoded as UTF-8 for messages, shortened to 80 characters. */
export function displayText(raw: string): string {
  const text = Buffer.from(raw, 'latin1').toString('utf8');
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}
