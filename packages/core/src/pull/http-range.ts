/** A parsed `Content-Range: bytes <start>-<end>/<total>` (RFC 9110 section 14.4). */
export interface ContentRange {
  /** First byte of the part, inclusive. */
  readonly start: number;
  /** Last byte of the part, inclusive. */
  readonly end: number;
  /** Size of the whole representation, when the server knows it. */
  readonly totalSizeInBytes?: number;
}

/** `Content-Range: bytes *\/<total>` of a 416 answer: only the size. */
export interface UnsatisfiedRange {
  readonly totalSizeInBytes: number;
}

const digits = /^\d{1,16}$/;

function safeInteger(text: string | undefined): number | undefined {
  if (text === undefined || !digits.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Parses a `Content-Range` header of a 206 answer. Returns undefined for anything malformed, for
 * `end < start`, and for `end >= total`.
 */
export function parseContentRange(header: string | null | undefined): ContentRange | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const start = safeInteger(match[1]);
  const end = safeInteger(match[2]);
  const total = match[3] === '*' ? undefined : safeInteger(match[3]);
  if (start === undefined || end === undefined || end < start) return undefined;
  if (match[3] !== '*' && (total === undefined || end >= total)) return undefined;
  return total === undefined ? { start, end } : { start, end, totalSizeInBytes: total };
}

/** Parses `bytes *\/<total>` (the `Content-Range` of a 416 answer). */
export function parseUnsatisfiedRange(
  header: string | null | undefined,
): UnsatisfiedRange | undefined {
  const match = /^bytes \*\/(\d+)$/i.exec(header?.trim() ?? '');
  const total = safeInteger(match?.[1]);
  return total === undefined ? undefined : { totalSizeInBytes: total };
}

/** `Range: bytes=<start>-`: everything from byte `start` on. */
export function formatRangeFrom(start: number): string {
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new RangeError(`a range starts at a non-negative integer, got ${start}`);
  }
  return `bytes=${start}-`;
}

/**
 * The `If-Range` validator for a resumed request: the strong ETag when there is one (a weak ETag,
 * `W/"..."`, may not be used with If-Range), else the Last-Modified date. Undefined when neither can
 * prove the bytes on the server are the ones already received: then the download starts over.
 */
export function ifRangeValidator(validators: {
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
}): string | undefined {
  const etag = validators.etag?.trim();
  if (etag && /^"[^"]*"$/.test(etag)) return etag;
  const lastModified = validators.lastModified?.trim();
  if (lastModified && !Number.isNaN(Date.parse(lastModified))) return lastModified;
  return undefined;
}
