import { deflateSync } from 'node:zlib';
import { createToneSamples, encodeWav } from '@model-loader/fixtures';
import sharp from 'sharp';

/** A WAV file of a sine tone (16-bit PCM). */
export function toneWav(
  frequencyInHz = 440,
  durationInSeconds = 2,
  sampleRate = 16_000,
): Uint8Array {
  return encodeWav(
    [createToneSamples({ frequencyInHz, durationInSeconds, sampleRate })],
    sampleRate,
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Black text lines on white, drawn from SVG by sharp (librsvg), as PNG bytes. */
export async function textPng(lines: readonly string[], fontSizeInPixels = 32): Promise<Buffer> {
  const size = fontSizeInPixels;
  const lineHeight = Math.round(size * 1.8);
  const width = Math.round(Math.max(...lines.map((line) => line.length)) * size * 0.7 + 2 * size);
  const height = lineHeight * lines.length + size;
  const texts = lines
    .map(
      (line, index) =>
        `<text x="${size}" y="${Math.round(size * 1.2 + index * lineHeight)}" font-family="DejaVu Sans" font-size="${size}" fill="#000">${escapeXml(line)}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${texts}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** A multipart/form-data body for `app.inject()`. */
export function multipart(
  parts: readonly (
    | { name: string; value: string }
    | { name: string; filename: string; type: string; data: Uint8Array }
  )[],
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----asr-ocr-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('data' in part) {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`,
        ),
        Buffer.from(part.data),
      );
    } else {
      chunks.push(
        Buffer.from(`Content-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}`),
      );
    }
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const framed = Buffer.alloc(body.length + 8);
  framed.writeUInt32BE(data.length, 0);
  body.copy(framed, 4);
  framed.writeUInt32BE(crc32(body), body.length + 4);
  return framed;
}

/** A tiny PNG whose header claims `width` x `height` greyscale pixels: a decompression-bomb shape. */
export function pngClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
