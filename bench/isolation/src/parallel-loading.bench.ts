/**
 * The seed's three kinds (a GGUF of about 340 MB, the Whisper fixture, PaddleOCR) loaded with
 * `loadAll({ parallel: true })` vs `loadAll({ parallel: false })` through the real runtimes, each
 * model in its own process (`isolation: 'process'`, the headline) and, for contrast, all in this
 * process (`'none'`). Every round builds a fresh `ModelLoader` per measurement and closes it after;
 * the four measurements of a round run in an order that rotates from round to round. Isolated loads
 * include what a real one costs: fork, Node.js start, importing the adapter and its runtime,
 * `estimateMemory` and the load in the child. In process, the runtimes are imported once by a
 * warm-up round (reported apart), as in a long-lived server. Target: isolated speed-up >= 1.8x on
 * 2 cores. Run: pnpm --filter @model-loader/bench-isolation... build && pnpm --filter @model-loader/bench-isolation bench:parallel
 */

import { availableParallelism, loadavg } from 'node:os';
import type { IsolationMode } from '@model-loader/core';
import { cpuSecondsWithChildren } from './cpu-time.js';
import {
  createThreeKindsAdapters,
  createThreeKindsLoader,
  median,
  threeKindsNames,
  writeThreeKinds,
} from './three-kinds.js';

const rounds = Number(process.env.BENCH_RUNS ?? 5);

type Measure = `${IsolationMode} ${'sequential' | 'parallel'}`;
const measures: readonly Measure[] = [
  'process sequential',
  'process parallel',
  'none sequential',
  'none parallel',
];

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const folder = await writeThreeKinds();
try {
  const adapters = { none: createThreeKindsAdapters(), process: createThreeKindsAdapters() };
  const loadOnce = async (measure: Measure) => {
    const [isolation, how] = measure.split(' ') as [IsolationMode, string];
    const cpuBefore = cpuSecondsWithChildren();
    const openedAt = performance.now();
    const loader = createThreeKindsLoader(folder.dir, isolation, adapters[isolation]);
    let elapsed = Number.NaN;
    let perModel: Record<string, number> = {};
    try {
      const started = performance.now();
      const results = await loader.loadAll({ parallel: how === 'parallel' });
      elapsed = performance.now() - started;
      for (const name of threeKindsNames) {
        const result = results[name];
        if (!result?.ok) throw new Error(`${measure}: ${name} did not load: ${result?.error}`);
      }
      perModel = Object.fromEntries(threeKindsNames.map((n) => [n, results[n]!.durationInMs]));
    } finally {
      await loader.close();
    }
    // CPU of the load and the close (model processes are counted once reaped), and the cores it
    // kept busy on average over the same wall time.
    const cpuSeconds = cpuSecondsWithChildren() - cpuBefore;
    return {
      elapsed,
      perModel,
      cpuSeconds,
      busyCores: (cpuSeconds * 1000) / (performance.now() - openedAt),
    };
  };

  const warmUp: Partial<Record<Measure, number>> = {};
  for (const measure of measures) warmUp[measure] = (await loadOnce(measure)).elapsed;

  const emptyByMeasure = () =>
    Object.fromEntries(measures.map((m) => [m, [] as number[]])) as Record<Measure, number[]>;
  const times = emptyByMeasure();
  const cpuSeconds = emptyByMeasure();
  const busyCores = emptyByMeasure();
  const perModel = Object.fromEntries(
    threeKindsNames.map((n) => [n, { process: [] as number[], none: [] as number[] }]),
  );
  const loadAverages: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let step = 0; step < measures.length; step++) {
      const measure = measures[(round + step) % measures.length]!;
      const result = await loadOnce(measure);
      times[measure].push(result.elapsed);
      cpuSeconds[measure].push(result.cpuSeconds);
      busyCores[measure].push(result.busyCores);
      if (measure.endsWith('sequential')) {
        const isolation = measure.startsWith('process') ? 'process' : 'none';
        for (const name of threeKindsNames) perModel[name]![isolation].push(result.perModel[name]!);
      }
    }
    loadAverages.push(loadavg()[0]!);
  }

  const speedUp = (isolation: IsolationMode) =>
    median(times[`${isolation} sequential`]) / median(times[`${isolation} parallel`]);
  const perRound = (isolation: IsolationMode) =>
    median(
      times[`${isolation} sequential`].map(
        (sequential, index) => sequential / times[`${isolation} parallel`][index]!,
      ),
    );
  console.log(
    `machine: ${availableParallelism()} cores, node ${process.version}, load average during the run ${Math.min(...loadAverages).toFixed(1)}-${Math.max(...loadAverages).toFixed(1)}`,
  );
  console.log(
    `models: GGUF ${mib(folder.ggufBytes)} MiB (F32, 5 blocks of width 1024), Whisper fixture ${mib(folder.whisperBytes)} MiB of ONNX, PaddleOCR v4 ${mib(folder.ocrBytes)} MiB; written in ${folder.writeTimeInMs.toFixed(0)} ms`,
  );
  console.log(`${rounds} rounds after a warm-up round, rotating order, medians`);
  for (const isolation of ['process', 'none'] as const) {
    const label = isolation === 'process' ? 'each in its own process' : 'all in this process   ';
    console.log(
      `${label}: sequential ${median(times[`${isolation} sequential`]).toFixed(0)} ms, parallel ${median(times[`${isolation} parallel`]).toFixed(0)} ms, ` +
        `speed-up ${speedUp(isolation).toFixed(2)}x (median of per-round ratios ${perRound(isolation).toFixed(2)}x)` +
        (isolation === 'process' ? '  target >= 1.8x' : ''),
    );
  }
  console.log(
    `CPU per load + close (this process and the model processes, median) and cores kept busy: ${measures
      .map(
        (m) =>
          `${m} ${median(cpuSeconds[m]).toFixed(2)} CPU-s, ${median(busyCores[m]).toFixed(2)} cores`,
      )
      .join('; ')}`,
  );
  // However the loads overlap, a parallel round cannot take less wall time than its CPU seconds
  // spread over every core of the machine.
  const ceiling = (isolation: IsolationMode) =>
    median(times[`${isolation} sequential`]) /
    ((median(cpuSeconds[`${isolation} parallel`]) * 1000) / availableParallelism());
  console.log(
    `speed-up bound by CPU on ${availableParallelism()} cores (sequential wall / (parallel CPU-s / cores)): isolated ${ceiling('process').toFixed(2)}x, in process ${ceiling('none').toFixed(2)}x`,
  );
  console.log(
    `per model when sequential (load as the engine timed it, median): ${threeKindsNames
      .map(
        (name) =>
          `${name} ${median(perModel[name]!.process).toFixed(0)} ms isolated / ${median(perModel[name]!.none).toFixed(0)} ms in process`,
      )
      .join(', ')}`,
  );
  console.log(
    `warm-up round (in process: first import of the runtimes): ${measures.map((m) => `${m} ${warmUp[m]!.toFixed(0)} ms`).join(', ')}`,
  );
} finally {
  await folder.remove();
}
