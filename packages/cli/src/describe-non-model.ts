import { open } from 'node:fs/promises';

const HEAD_LENGTH_IN_BYTES = 512;

const ascii = (bytes: Uint8Array, start: number, end: number) =>
  String.fromCharCode(...bytes.subarray(start, end));

/**
 * Names common files that are no model, from their first bytes, so `inspect` can say what the file
 * looks like instead of only "unknown". Magic numbers: PNG, JPEG, GIF, RIFF WAVE/WEBP, FLAC, Ogg,
 * MP3 (ID3), PDF, gzip; anything else decodes as UTF-8 text without control characters or not.
 */
export function describeNonModel(head: Uint8Array): string {
  if (head[0] === 0x89 && ascii(head, 1, 4) === 'PNG') return 'a PNG image';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'a JPEG image';
  if (ascii(head, 0, 4) === 'GIF8') return 'a GIF image';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return 'WAV audio';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'a WebP image';
  if (ascii(head, 0, 4) === 'fLaC') return 'FLAC audio';
  if (ascii(head, 0, 4) === 'OggS') return 'Ogg audio';
  if (ascii(head, 0, 3) === 'ID3') return 'MP3 audio';
  if (ascii(head, 0, 5) === '%PDF-') return 'a PDF document';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip data';
  if (head.length === 0) return 'an empty file';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head);
    // Tab, line feed, form feed and carriage return are the only control bytes text has.
    if (head.every((byte) => byte >= 0x20 || (byte >= 0x09 && byte <= 0x0d))) return 'text';
  } catch {
    // not UTF-8: fall through
  }
  return 'data of no known kind';
}

/** Reads the start of `path` and names what kind of non-model file it looks like. */
export async function describeNonModelFile(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(HEAD_LENGTH_IN_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_LENGTH_IN_BYTES, 0);
    return describeNonModel(trimCutCharacter(head.subarray(0, bytesRead)));
  } finally {
    await handle.close();
  }
}

/** Drops a UTF-8 sequence cut short by the read limit, so text stays valid UTF-8. */
function trimCutCharacter(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  let back = 0;
  while (end - back - 1 >= 0 && back < 3 && (bytes[end - back - 1]! & 0xc0) === 0x80) back += 1;
  const lead = bytes[end - back - 1];
  if (lead !== undefined && lead >= 0xc0) {
    const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (back + 1 < needed) end -= back + 1;
  }
  return bytes.subarray(0, end);
}
