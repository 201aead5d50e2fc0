/** Image formats `recognize` accepts. */
export type AcceptedImageFormat = 'png' | 'jpeg' | 'webp' | 'tiff';

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0) =>
  prefix.every((byte, index) => bytes[offset + index] === byte);
const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

/**
 * Names an image format from its first bytes, so that only the PNG, JPEG, WebP and TIFF decoders of
 * libvips ever see untrusted input. Signatures: PNG `89 50 4E 47 0D 0A 1A 0A`, JPEG `FF D8 FF`,
 * WebP `RIFF <size> WEBP`, TIFF `II*\0` or `MM\0*` (BigTIFF `II+\0` / `MM\0+`). Other formats are
 * named when recognised (for the error message) or `unknown`.
 */
export function sniffImageFormat(
  bytes: Uint8Array,
): AcceptedImageFormat | { readonly refused: string } {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return 'tiff';
  }
  if (startsWith(bytes, ascii('GIF8'))) return { refused: 'gif' };
  if (startsWith(bytes, ascii('%PDF'))) return { refused: 'pdf' };
  if (startsWith(bytes, ascii('BM'))) return { refused: 'bmp' };
  if (startsWith(bytes, ascii('ftyp'), 4)) return { refused: 'heif/avif' };
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')))
    return { refused: 'svg' };
  return { refused: 'unknown' };
}
