// OCR through the ASR/OCR server (HTTP on a real port, multipart upload, per-model limiter with
// queue, lease) versus calling the adapter's model directly, in the same process and run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOcrAdapter, getDefaultOcrModelPath } from '@model-loader/adapter-ocr';
import { asOcrModel, buildApp, loadAsrOcrConfig } from '@model-loader/asr-ocr-server';
import { silentLogger } from '@model-loader/core';
import sharp from 'sharp';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The server's per-model concurrency (its default is 1). */
const MODEL_CONCURRENCY = process.env.BENCH_MODEL_CONCURRENCY ?? '1';
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const TEXT = 'Invoice 2024-07-15';

async function renderLine(text: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="90"><rect width="100%" height="100%" fill="#fff"/><text x="24" y="56" font-family="DejaVu Sans" font-size="30" fill="#000">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
};

type Measure = Awaited<ReturnType<typeof drive>>;
/** The measure with the median throughput. */
const middle = (measures: Measure[]) =>
  [...measures].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(measures.length / 2)]!;

/** Runs `count` calls of `call` with `clients` of them in flight; returns per-call ms and calls/s. */
async function drive(call: () => Promise<string>, count: number, clients: number) {
  const latencies: number[] = [];
  let next = 0;
  let wrong = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        next += 1;
        const t0 = performance.now();
        const text = await call();
        latencies.push(performance.now() - t0);
        if (text !== TEXT) wrong += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { median: median(latencies), p95: p95(latencies), perSecond: count / seconds, wrong };
}

const root = await mkdtemp(join(tmpdir(), 'bench-asr-ocr-'));
try {
  const image = await renderLine(TEXT);
  const config = await loadAsrOcrConfig({
    cwd: root,
    env: { MODEL_DIR: join(root, 'models'), LOG_LEVEL: 'silent', MODEL_CONCURRENCY },
  });
  const app = await buildApp(config, { logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  await app.models.loadInBackground();
  const direct = await createOcrAdapter().load(
    getDefaultOcrModelPath(),
    {},
    {
      modelName: 'ocr',
      signal: new AbortController().signal,
      attempt: 1,
      logger: silentLogger,
      onProgress() {},
    },
  );

  const viaServer = async () => {
    const form = new FormData();
    form.append('image', new Blob([image], { type: 'image/png' }), 'line.png');
    const response = await fetch(`${address}/ocr`, { method: 'POST', body: form });
    const body = (await response.json()) as { success: boolean; text: string };
    return body.text;
  };
  const viaAdapter = async () => (await direct.recognize(image)).text;
  // The server's own model through the plugin's limiter and lease, without HTTP.
  const viaRun = async () =>
    (await app.models.run('ocr', (model) => asOcrModel(model, 'ocr').recognize(image))).text;
  for (const [name, call] of [
    ['adapter', viaAdapter],
    ['server', viaServer],
  ] as const) {
    const text = await call();
    if (text !== TEXT) throw new Error(`${name} read ${JSON.stringify(text)}, not ${TEXT}`);
  }

  // Warm-up: first runs allocate onnxruntime arenas.
  for (let i = 0; i < 3; i++) {
    await viaAdapter();
    await viaServer();
  }

  const rows: string[] = [];
  for (const clients of [1, CLIENTS]) {
    // Alternate the order so neither path always runs on a warmer machine.
    // Interleaved rounds so that every path sees the same machine load (shared, noisy machines).
    const results = { adapter: [] as Measure[], run: [] as Measure[], server: [] as Measure[] };
    for (let round = 0; round < ROUNDS; round++) {
      results.adapter.push(await drive(viaAdapter, REQUESTS, clients));
      results.run.push(await drive(viaRun, REQUESTS, clients));
      results.server.push(await drive(viaServer, REQUESTS, clients));
    }
    const adapter = middle(results.adapter);
    const run = middle(results.run);
    const server = middle(results.server);
    const cell = (m: Measure) =>
      `${m.perSecond.toFixed(1)} req/s, median ${m.median.toFixed(0)} ms, p95 ${m.p95.toFixed(0)} ms`;
    const wrong = [...results.adapter, ...results.run, ...results.server].reduce(
      (sum, m) => sum + m.wrong,
      0,
    );
    rows.push(
      `| ${clients} client${clients > 1 ? 's' : ''} | ${cell(adapter)} | ${cell(run)} | ${cell(server)} | **${(server.perSecond / adapter.perSecond).toFixed(2)}x** | ${wrong} |`,
    );
  }
  console.log(
    `OCR of one 420 x 90 line, ${REQUESTS} requests per measure median of ${ROUNDS} interleaved rounds, server concurrency ${MODEL_CONCURRENCY}`,
  );
  console.log(
    '| clients | adapter directly | app.models.run (limiter + lease) | HTTP /ocr (multipart) | server / adapter req/s | wrong texts |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);
  await direct.dispose();
  await app.close();
} finally {
  await rm(root, { recursive: true, force: true });
}
