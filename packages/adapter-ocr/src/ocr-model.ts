import { ModelLoaderError } from '@model-loader/core';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { ctcDecode } from './ctc-decode.js';
import { decodeImage, type RgbImage } from './decode-image.js';
import { findTextBoxes, type Rect } from './find-text-boxes.js';
import { groupLines, type OcrLine, type RecognisedRegion } from './group-lines.js';
import { cropRgb, resizeRgb, rotateRgb, toDetectionInput, toLineInput } from './image-tensors.js';
import type { OcrRuntimeSettings } from './ocr-adapter-settings.js';

/** Options of one `recognize` call. */
export interface RecognizeOptions {
  /** Stops the work between steps; the call then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What `recognize` returns. */
export interface OcrResult {
  /** All lines, top to bottom, joined with `\n`. */
  readonly text: string;
  /** Lines in reading order. */
  readonly lines: readonly OcrLine[];
}

/** A loaded PaddleOCR model: what `ModelLoader.get('ocr')` gives back. */
export interface OcrModel {
  /**
   * Reads the text of a PNG, JPEG, WebP or TIFF image.
   * @throws ModelLoaderError IMAGE_INVALID, IMAGE_TOO_LARGE; MODEL_NOT_AVAILABLE after `dispose`
   */
  recognize(image: Uint8Array, options?: RecognizeOptions): Promise<OcrResult>;
  /** Waits for running calls, then frees the onnxruntime sessions. Safe to call twice. */
  dispose(): Promise<void>;
}

/** The three sessions and the dictionary of a PaddleOCR model. */
export interface OcrSessions {
  readonly detection: InferenceSession;
  readonly recognition: InferenceSession;
  readonly classification: InferenceSession;
  /** Characters of the recogniser's classes 1..n (class 0 is the CTC blank). */
  readonly characters: readonly string[];
  readonly Tensor: typeof Tensor;
}

// PaddleOCR recognition input: height 48, width at least 320 (rec_image_shape 3,48,320), batches of
// 6 lines sorted by aspect ratio; classification input 3,48,192, flip when "180" scores over 0.9.
const LINE_HEIGHT = 48;
const MIN_RECOGNITION_WIDTH = 320;
const RECOGNITION_BATCH = 6;
const CLASSIFICATION_WIDTH = 192;
const CLASSIFICATION_BATCH = 16;
const FLIP_THRESHOLD = 0.9;

/** Creates the model handle over loaded sessions. */
export function createOcrModel(sessions: OcrSessions, settings: OcrRuntimeSettings): OcrModel {
  const running = new Set<Promise<unknown>>();
  let disposed: Promise<void> | undefined;

  const run = async (session: InferenceSession, data: Float32Array, dims: number[]) => {
    const input = new sessions.Tensor('float32', data, dims);
    const outputs = await session.run({ [session.inputNames[0]!]: input });
    return outputs[session.outputNames[0]!]!;
  };

  const detect = async (image: RgbImage): Promise<Rect[]> => {
    const ratio = Math.min(
      1,
      settings.detectionMaxSideInPixels / Math.max(image.width, image.height),
    );
    const width = Math.max(32, Math.round((image.width * ratio) / 32) * 32);
    const height = Math.max(32, Math.round((image.height * ratio) / 32) * 32);
    const resized = await resizeRgb(image, width, height);
    const map = await run(sessions.detection, toDetectionInput(resized), [1, 3, height, width]);
    const [, , mapHeight = height, mapWidth = width] = map.dims;
    const scaleX = image.width / mapWidth;
    const scaleY = image.height / mapHeight;
    return findTextBoxes(map.data as Float32Array, mapWidth, mapHeight, settings)
      .map((box) => ({
        left: Math.max(0, Math.floor(box.left * scaleX)),
        top: Math.max(0, Math.floor(box.top * scaleY)),
        right: Math.min(image.width, Math.ceil(box.right * scaleX)),
        bottom: Math.min(image.height, Math.ceil(box.bottom * scaleY)),
      }))
      .filter((box) => box.right - box.left > 3 && box.bottom - box.top > 3);
  };

  const toLine = async (crop: RgbImage, maxWidth: number): Promise<RgbImage> => {
    const width = Math.max(
      1,
      Math.min(maxWidth, Math.ceil((LINE_HEIGHT * crop.width) / crop.height)),
    );
    return resizeRgb(crop, width, LINE_HEIGHT);
  };

  /** Indices of the crops the orientation classifier sees upside down. */
  const upsideDown = async (crops: RgbImage[], signal?: AbortSignal): Promise<number[]> => {
    const flagged: number[] = [];
    for (let start = 0; start < crops.length; start += CLASSIFICATION_BATCH) {
      signal?.throwIfAborted();
      const batch = crops.slice(start, start + CLASSIFICATION_BATCH);
      const sample = 3 * LINE_HEIGHT * CLASSIFICATION_WIDTH;
      const input = new Float32Array(batch.length * sample);
      for (const [index, crop] of batch.entries()) {
        const line = await toLine(crop, CLASSIFICATION_WIDTH);
        toLineInput(
          line,
          CLASSIFICATION_WIDTH,
          input.subarray(index * sample, (index + 1) * sample),
        );
      }
      const output = await run(sessions.classification, input, [
        batch.length,
        3,
        LINE_HEIGHT,
        CLASSIFICATION_WIDTH,
      ]);
      const scores = output.data as Float32Array;
      for (let index = 0; index < batch.length; index++) {
        if (scores[index * 2 + 1]! > FLIP_THRESHOLD) flagged.push(start + index);
      }
    }
    return flagged;
  };

  const readLines = async (crops: RgbImage[], signal?: AbortSignal) => {
    const order = crops
      .map((_, index) => index)
      .sort((a, b) => aspect(crops[a]!) - aspect(crops[b]!));
    const texts = new Array<{ text: string; confidence: number }>(crops.length);
    for (let start = 0; start < order.length; start += RECOGNITION_BATCH) {
      signal?.throwIfAborted();
      const batch = order.slice(start, start + RECOGNITION_BATCH);
      const maxRatio = Math.max(
        MIN_RECOGNITION_WIDTH / LINE_HEIGHT,
        ...batch.map((index) => aspect(crops[index]!)),
      );
      const width = Math.floor(LINE_HEIGHT * maxRatio);
      const sample = 3 * LINE_HEIGHT * width;
      const input = new Float32Array(batch.length * sample);
      for (const [position, index] of batch.entries()) {
        const line = await toLine(crops[index]!, width);
        toLineInput(line, width, input.subarray(position * sample, (position + 1) * sample));
      }
      const output = await run(sessions.recognition, input, [batch.length, 3, LINE_HEIGHT, width]);
      const [, steps = 0, classes = 0] = output.dims;
      const data = output.data as Float32Array;
      for (const [position, index] of batch.entries()) {
        const rows = data.subarray(position * steps * classes, (position + 1) * steps * classes);
        texts[index] = ctcDecode(rows, steps, classes, sessions.characters);
      }
    }
    return texts;
  };

  const recognizeNow = async (bytes: Uint8Array, signal?: AbortSignal): Promise<OcrResult> => {
    signal?.throwIfAborted();
    const image = await decodeImage(bytes, settings);
    signal?.throwIfAborted();
    const rects = await detect(image);
    signal?.throwIfAborted();
    const crops = rects.map((rect) => cropRgb(image, rect));
    const texts = await readLines(crops, signal);
    // Other readings worth trying; the one with the higher confidence wins. PaddleOCR turns every
    // crop 1.5 times taller than wide by 90 degrees (vertical text), which misreads single tall
    // glyphs ("1"); and its orientation classifier squeezes a whole line into 192 x 48 pixels and
    // misjudges long lines (why PaddleOCR leaves it off by default). So both only propose.
    const alternatives: { index: number; angle: 180 | 270 }[] = [];
    for (const [index, crop] of crops.entries()) {
      if (crop.height / crop.width >= 1.5) alternatives.push({ index, angle: 270 });
    }
    if (settings.useAngleClassifier && crops.length > 0) {
      for (const index of await upsideDown(crops, signal)) alternatives.push({ index, angle: 180 });
    }
    if (alternatives.length > 0) {
      const turned = await Promise.all(
        alternatives.map(({ index, angle }) => rotateRgb(crops[index]!, angle)),
      );
      const turnedTexts = await readLines(turned, signal);
      for (const [position, { index }] of alternatives.entries()) {
        if (turnedTexts[position]!.confidence > texts[index]!.confidence) {
          texts[index] = turnedTexts[position]!;
        }
      }
    }
    const regions: RecognisedRegion[] = [];
    for (const [index, rect] of rects.entries()) {
      const { text, confidence } = texts[index]!;
      if (text.trim() === '' || confidence < settings.minConfidence) continue;
      regions.push({ ...rect, text: text.trim(), confidence });
    }
    const lines = groupLines(regions);
    return { text: lines.map((line) => line.text).join('\n'), lines };
  };

  return {
    recognize(image, options = {}) {
      if (disposed !== undefined) {
        return Promise.reject(
          new ModelLoaderError(
            'MODEL_NOT_AVAILABLE',
            'The OCR model was disposed; load it again to use it',
          ),
        );
      }
      const call = recognizeNow(image, options.signal);
      const tracked = call.catch(() => undefined);
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
      return call;
    },
    dispose() {
      disposed ??= (async () => {
        await Promise.all(running);
        await Promise.all([
          sessions.detection.release(),
          sessions.recognition.release(),
          sessions.classification.release(),
        ]);
      })();
      return disposed;
    },
  };
}

function aspect(image: RgbImage): number {
  return image.width / image.height;
}
