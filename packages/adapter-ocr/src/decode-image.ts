import { ModelLoaderError } from '@model-loader/core';
import { loadSharp } from './load-native.js';
import { sniffImageFormat } from './sniff-image-format.js';

/** A decoded image: 8-bit RGB, row by row. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Image formats accepted by `recognize`, as sharp names them. SVG, GIF, HEIF, PDF ... are refused. */
export const acceptedImageFormats = ['png', 'jpeg', 'webp', 'tiff'] as const;

/** Limits checked before and while decoding. */
export interface ImageLimits {
  readonly maxImageSizeInBytes: number;
  readonly maxImagePixels: number;
}

/**
 * Decodes PNG, JPEG, WebP or TIFF bytes to RGB: EXIF orientation applied, transparency laid over
 * white, first page only. The byte and pixel limits are checked before any pixel is decoded.
 * @throws ModelLoaderError IMAGE_INVALID, IMAGE_TOO_LARGE
 */
export async function decodeImage(image: Uint8Array, limits: ImageLimits): Promise<RgbImage> {
  if (!(image instanceof Uint8Array)) {
    throw new ModelLoaderError(
      'IMAGE_INVALID',
      'Image must be given as bytes (a Buffer or Uint8Array)',
    );
  }
  if (image.byteLength === 0)
    throw new ModelLoaderError('IMAGE_INVALID', 'Image is empty (0 bytes)');
  if (image.byteLength > limits.maxImageSizeInBytes) {
    throw new ModelLoaderError(
      'IMAGE_TOO_LARGE',
      `Image is ${image.byteLength} bytes, more than the limit of ${limits.maxImageSizeInBytes} bytes`,
      { expected: `<= ${limits.maxImageSizeInBytes} bytes`, actual: `${image.byteLength} bytes` },
    );
  }
  const format = sniffImageFormat(image);
  if (typeof format !== 'string') {
    throw new ModelLoaderError(
      'IMAGE_INVALID',
      `Image format ${format.refused} is not accepted; send PNG, JPEG, WebP or TIFF`,
      { expected: acceptedImageFormats.join(', '), actual: format.refused },
    );
  }
  const sharp = await loadSharp();
  let pixels: number;
  try {
    // metadata() reads the header only; the pixel limit is enforced on it before decoding.
    const metadata = await sharp(image, { limitInputPixels: false }).metadata();
    if (metadata.format !== format)
      throw new Error(`${format} signature but ${metadata.format} content`);
    pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  } catch (error) {
    throw undecodable(error);
  }
  if (pixels > limits.maxImagePixels) {
    throw new ModelLoaderError(
      'IMAGE_TOO_LARGE',
      `Image has ${pixels} pixels, more than the limit of ${limits.maxImagePixels} pixels`,
      { expected: `<= ${limits.maxImagePixels} pixels`, actual: `${pixels} pixels` },
    );
  }
  try {
    const { data, info } = await sharp(image, {
      limitInputPixels: limits.maxImagePixels,
      failOn: 'error',
    })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels instead of 3`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw undecodable(error);
  }
}

function undecodable(error: unknown): ModelLoaderError {
  const reason = (error as Error)?.message ?? String(error);
  return new ModelLoaderError('IMAGE_INVALID', `Image cannot be decoded: ${reason}`, {
    cause: error,
  });
}
