/**
 * Server-side memory after unloading every model: the RSS (`process.memoryUsage().rss`) of a
 * process that holds a ModelLoader with the seed's three kinds (GGUF of about 340 MB, the Whisper
 * fixture, PaddleOCR), taken before they load and after they are loaded, used once each and
 * unloaded. With `isolation: 'process'` the models live in child processes and unloading ends
 * them; in process (`'none'`, for contrast) the runtimes' libraries, arenas and allocator keep
 * part of it. Each measurement runs in a fresh process (rss-probe.ts), alternating the modes.
 * Target: isolated after - before within 50 MB.
 * Run: pnpm --filter @model-loader/bench-isolation... build && pnpm --filter @model-loader/bench-isolation bench:rss
 */

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import type { IsolationMode } from '@model-loader/core';
import { median, writeThreeKinds } from './three-kinds.js';

const rounds = Number(process.env.BENCH_RUNS ?? 3);

interface ProbeResult {
  readonly beforeInBytes: number;
  readonly loadedInBytes: number;
  readonly afterInBytes: number;
  readonly childrenInBytes: number;
}

async function probe(dir: string, isolation: IsolationMode): Promise<ProbeResult> {
  const child = fork(new URL('./rss-probe.js', import.meta.url), [dir, isolation], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let result: ProbeResult | undefined;
  child.on('message', (message) => {
    result = message as ProbeResult;
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  if (!result || code !== 0) throw new Error(`rss probe (${isolation}) exited ${code ?? signal}`);
  return result;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

const folder = await writeThreeKinds();
try {
  const results: Record<IsolationMode, ProbeResult[]> = { process: [], none: [] };
  const loadAverages: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: IsolationMode[] = round % 2 ? ['none', 'process'] : ['process', 'none'];
    for (const isolation of order) results[isolation].push(await probe(folder.dir, isolation));
    loadAverages.push(loadavg()[0]!);
  }
  console.log(
    `machine: ${availableParallelism()} cores, node ${process.version}, load average during the run ${Math.min(...loadAverages).toFixed(1)}-${Math.max(...loadAverages).toFixed(1)}`,
  );
  console.log(
    `models: GGUF ${mb(folder.ggufBytes)} MB, Whisper fixture ${mb(folder.whisperBytes)} MB of ONNX, PaddleOCR v4 ${mb(folder.ocrBytes)} MB; ${rounds} fresh processes per mode, alternating, medians`,
  );
  for (const isolation of ['process', 'none'] as const) {
    const runs = results[isolation];
    const pick = (field: keyof ProbeResult) => median(runs.map((run) => run[field]));
    const growth = runs.map((run) => run.afterInBytes - run.beforeInBytes);
    const label = isolation === 'process' ? 'isolated  ' : 'in process';
    console.log(
      `${label}: rss before load ${mb(pick('beforeInBytes'))} MB, loaded + used ${mb(pick('loadedInBytes'))} MB` +
        (isolation === 'process'
          ? ` (+ ${mb(pick('childrenInBytes'))} MB in the 3 model processes, their RSS right after load)`
          : '') +
        `, after unloading all ${mb(pick('afterInBytes'))} MB: after - before ${mb(median(growth))} MB` +
        ` (runs ${growth.map(mb).join(', ')})` +
        (isolation === 'process' ? '  target within 50 MB' : ''),
    );
  }
} finally {
  await folder.remove();
}
