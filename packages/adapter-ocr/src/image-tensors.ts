import type { RgbImage } from './decode-image.js';
import type { Rect } from './find-text-boxes.js';
import { loadSharp } from './load-native.js';

// PaddleOCR feeds images as OpenCV reads them, channels in B, G, R order. Detection normalises with
// the ImageNet mean/std listed in its NormalizeImage config, applied in that channel order;
// recognition and classification scale to [-1, 1] (x / 255 - 0.5) / 0.5.
const DETECTION_MEAN = [0.485, 0.456, 0.406] as const;
const DETECTION_STD = [0.229, 0.224, 0.225] as const;

/** Resizes an RGB image to exactly `width` x `height`. */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const sharp = await loadSharp();
  const data = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { data, width, height };
}

/** Rotates an RGB image by a multiple of 90 degrees, clockwise. */
export async function rotateRgb(
  image: RgbImage,
  angleInDegrees: 90 | 180 | 270,
): Promise<RgbImage> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .rotate(angleInDegrees)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Copies a rectangle out of an image. */
export function cropRgb(image: RgbImage, rect: Rect): RgbImage {
  const width = rect.right - rect.left;
  const height = rect.bottom - rect.top;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((rect.top + y) * image.width + rect.left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data, width, height };
}

/** Detection input `[3, H, W]` (B, G, R planes, ImageNet-normalised). */
export function toDetectionInput(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const output = new Float32Array(3 * plane);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = image.data[pixel * 3 + (2 - channel)]! / 255;
      output[channel * plane + pixel] =
        (value - DETECTION_MEAN[channel]!) / DETECTION_STD[channel]!;
    }
  }
  return output;
}

/**
 * Line input `[3, H, paddedWidth]` for recognition and classification: B, G, R planes scaled to
 * [-1, 1], the right side past the image filled with 0 (as PaddleOCR pads).
 */
export function toLineInput(
  image: RgbImage,
  paddedWidth: number,
  output?: Float32Array,
): Float32Array {
  const { width, height } = image;
  const plane = paddedWidth * height;
  const target = output ?? new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const source = (y * width + x) * 3;
      const index = y * paddedWidth + x;
      for (let channel = 0; channel < 3; channel++) {
        target[channel * plane + index] = image.data[source + (2 - channel)]! / 127.5 - 1;
      }
    }
  }
  return target;
}
