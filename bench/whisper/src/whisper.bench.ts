// Load time, real-time factor and memory of the Whisper adapter, on the tiny fixture and (when
// WHISPER_MODEL_DIR names a real transformers.js Whisper export) on a real model.
// Run: pnpm --filter @model-loader/bench-whisper... build && pnpm --filter @model-loader/bench-whisper bench
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createWhisperAdapter } from '@model-loader/adapter-whisper';
import { ModelLoader } from '@model-loader/core';
import { createToneSamples, writeTinyWhisperModel } from '@model-loader/fixtures';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const threadCount = Number(process.env.BENCH_THREADS ?? 1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function onnxBytes(folder: string): Promise<number> {
  let total = 0;
  for (const file of ['onnx/encoder_model.onnx', 'onnx/decoder_model_merged.onnx']) {
    total += (await stat(join(folder, file))).size;
  }
  return total;
}

async function measure(label: string, folder: string): Promise<void> {
  const adapter = createWhisperAdapter({ threadCount });
  const loads: number[] = [];
  const rssGrowth: number[] = [];
  const audioSeconds = 10;
  const audio = createToneSamples({ frequencyInHz: 440, durationInSeconds: audioSeconds });
  const transcribeTimes: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    gc();
    const rssBefore = process.memoryUsage().rss;
    const loader = new ModelLoader({ modelDir: dirname(folder) }).register({
      name: 'whisper',
      path: basename(folder),
      adapter: adapter,
    });
    const started = performance.now();
    const model = await loader.load('whisper');
    loads.push(performance.now() - started);
    // First transcription included in the memory figure: onnxruntime allocates its arenas lazily.
    const t0 = performance.now();
    await model.transcribe(audio);
    transcribeTimes.push(performance.now() - t0);
    gc();
    rssGrowth.push(process.memoryUsage().rss - rssBefore);
    await loader.close();
  }
  const bytes = await onnxBytes(folder);
  const rtf = median(transcribeTimes) / 1000 / audioSeconds;
  console.log(
    `${label}: onnx ${(bytes / 1e6).toFixed(2)} MB | load (validate+preflight+session) median ${median(loads).toFixed(0)} ms | ` +
      `transcribe ${audioSeconds} s median ${median(transcribeTimes).toFixed(0)} ms, real-time factor ${rtf.toFixed(3)} ` +
      `(${(1 / rtf).toFixed(1)}x real time) | RSS growth of load+transcribe: first (with library import) ` +
      `${(rssGrowth[0]! / 1e6).toFixed(1)} MB, later median ${(median(rssGrowth.slice(1)) / 1e6).toFixed(1)} MB ` +
      `= ${(median(rssGrowth.slice(1)) / bytes).toFixed(2)} x onnx bytes | runs ${runs}, threads ${threadCount}`,
  );
}

const work = await mkdtemp(join(tmpdir(), 'bench-whisper-'));
try {
  const started = performance.now();
  const folder = await writeTinyWhisperModel(join(work, 'tiny-whisper'));
  console.log(`fixture generated in ${(performance.now() - started).toFixed(0)} ms`);
  await measure('tiny fixture (fp32)', folder);
  const real = process.env.WHISPER_MODEL_DIR;
  if (real) await measure(`real model ${basename(real)}`, real);
  else
    console.log('real model: skipped (set WHISPER_MODEL_DIR to a transformers.js Whisper export)');
} finally {
  await rm(work, { recursive: true, force: true });
}
