import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGgufAdapter, type GgufModelHandle } from '@model-loader/adapter-gguf';
import {
  createOcrAdapter,
  defaultOcrModelFiles,
  getDefaultOcrModelPath,
  type OcrModel,
} from '@model-loader/adapter-ocr';
import { createWhisperAdapter, type WhisperModel } from '@model-loader/adapter-whisper';
import { type IsolationMode, ModelLoader, type Remote } from '@model-loader/core';
import { createToneSamples, writeTinyGguf, writeTinyWhisperModel } from '@model-loader/fixtures';
import sharp from 'sharp';

/**
 * The seed's three kinds of model side by side: a GGUF of about 340 MB (the tiny fixture's
 * architecture with wide F32 layers: 5 blocks of width 1024 and feed-forward 4096, 320 tokens), the
 * Whisper fixture and the PaddleOCR v4 set, all in one temporary `modelDir`.
 */
export const ggufShape = {
  weightType: 'F32',
  layerCount: 5,
  embeddingLength: 1024,
  headCount: 8,
  headCountKv: 8,
  feedForwardLength: 4096,
  contextLength: 2048,
} as const;

/** The folder holding the three models, with their sizes, and how to remove it. */
export interface ThreeKindsFolder {
  readonly dir: string;
  readonly ggufBytes: number;
  readonly whisperBytes: number;
  readonly ocrBytes: number;
  readonly writeTimeInMs: number;
  remove(): Promise<void>;
}

async function folderBytes(dir: string, files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(join(dir, file))).size;
  return total;
}

/**
 * Writes the GGUF (fixtures' encoder) and the Whisper fixture into a fresh folder under
 * `os.tmpdir()` and copies the OCR models there (`modelDir` confinement resolves symlinks, so the
 * package's own folder in node_modules cannot be linked in).
 */
export async function writeThreeKinds(): Promise<ThreeKindsFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-isolation-'));
  try {
    const started = performance.now();
    const ggufBytes = await writeTinyGguf(join(dir, 'model.gguf'), ggufShape);
    const whisper = await writeTinyWhisperModel(join(dir, 'whisper'));
    const ocrSource = getDefaultOcrModelPath();
    await mkdir(join(dir, 'ocr'));
    const ocrFiles = Object.values(defaultOcrModelFiles);
    for (const file of ocrFiles) await copyFile(join(ocrSource, file), join(dir, 'ocr', file));
    return {
      dir,
      ggufBytes,
      whisperBytes: await folderBytes(whisper, [
        'onnx/encoder_model.onnx',
        'onnx/decoder_model_merged.onnx',
      ]),
      ocrBytes: await folderBytes(join(dir, 'ocr'), ocrFiles),
      writeTimeInMs: performance.now() - started,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** One adapter of each kind, created once and shared by every loader of a run, as a server does. */
export function createThreeKindsAdapters() {
  return {
    gguf: createGgufAdapter({ gpu: false, threadCount: 1 }),
    whisper: createWhisperAdapter(),
    ocr: createOcrAdapter(),
  };
}

/** A `ModelLoader` over the three models, every one with the given isolation. */
export function createThreeKindsLoader(
  dir: string,
  isolation: IsolationMode,
  adapters: ReturnType<typeof createThreeKindsAdapters>,
) {
  return new ModelLoader({
    modelDir: dir,
    isolation,
    processes: { estimateTimeoutInMs: 300_000 },
  })
    .register({
      name: 'llm',
      path: 'model.gguf',
      adapter: adapters.gguf,
      options: { contextSize: 512 },
      loadTimeoutInMs: 300_000,
    })
    .register({ name: 'asr', path: 'whisper', adapter: adapters.whisper, loadTimeoutInMs: 300_000 })
    .register({ name: 'ocr', path: 'ocr', adapter: adapters.ocr, loadTimeoutInMs: 300_000 });
}

export type ThreeKindsLoader = ReturnType<typeof createThreeKindsLoader>;

/** Names of the three models in `createThreeKindsLoader`. */
export const threeKindsNames = ['llm', 'asr', 'ocr'] as const;

const ocrLineText = 'Invoice 2024-07-15';

/** The PNG the OCR request reads: one line of text rendered by sharp from SVG. */
export function renderOcrLine(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="90"><rect width="100%" height="100%" fill="#fff"/><text x="20" y="58" font-family="DejaVu Sans" font-size="30">${ocrLineText}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** One request of each kind: 16 tokens, 1 s of a tone, one line of text in a PNG. */
export async function useThreeKinds(loader: ThreeKindsLoader, image: Uint8Array): Promise<void> {
  const llm = loader.get('llm') as Remote<GgufModelHandle>;
  const asr = loader.get('asr') as Remote<WhisperModel>;
  const ocr = loader.get('ocr') as Remote<OcrModel>;
  await llm.complete('The model loader', { maxTokens: 16, temperature: 0 });
  await asr.transcribe(createToneSamples({ frequencyInHz: 440, durationInSeconds: 1 }));
  const read = await ocr.recognize(image);
  if (read.text !== ocrLineText) throw new Error(`OCR read ${JSON.stringify(read.text)}`);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
