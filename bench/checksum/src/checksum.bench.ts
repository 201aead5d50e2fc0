import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createChecksumVerifier, createHashPool } from '@model-loader/core';
import { median, writeBenchFile } from './bench-files.js';
import { opensslSha256BytesPerSecond } from './openssl-ceiling.js';
import { type Comparison, compareManyFiles, compareOneFile } from './peer-comparison.js';

// Measures the integrity targets of issue 3 as ratios within one run on this machine. Data files go
// to bench/.data/checksum (git-ignored) and are deleted at the end.

const run = promisify(execFile);
const GiB = 1024 ** 3;
const dataDir = join(import.meta.dirname, '..', '..', '.data', 'checksum');
const runs = Number(process.env.BENCH_RUNS ?? 3);
// `BENCH_SECTIONS=peers` runs only the whole-process comparisons with openssl (quicker to iterate).
const sections = new Set((process.env.BENCH_SECTIONS ?? 'peers,engine').split(','));
const gb = (bytesPerSecond: number) => `${(bytesPerSecond / 1e9).toFixed(2)} GB/s`;

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

async function warm(path: string): Promise<void> {
  // Reading once puts the file in the page cache ("warm page cache" in the targets).
  await run('dd', [`if=${path}`, 'of=/dev/null', 'bs=16M'], { maxBuffer: 1024 * 1024 });
}

const rows: [string, string, string, string][] = [];
function report(
  name: string,
  measured: string,
  ratio: number,
  target: string,
  pass: boolean,
): void {
  rows.push([name, measured, ratio.toFixed(2), `${target} ${pass ? 'PASS' : 'FAIL'}`]);
  console.log(
    `${name}: ${measured}, ratio ${ratio.toFixed(2)} (target ${target}) ${pass ? 'PASS' : 'FAIL'}`,
  );
}

const x = (ratio: number) => `${ratio.toFixed(2)}x`;

function reportComparison(comparison: Comparison, maxWall: number, maxCpu?: number): void {
  const wall = median(comparison.wallRatios);
  const cpu = median(comparison.cpuRatios);
  const measured =
    `${comparison.medianWallInSeconds.toFixed(2)} s wall, ${comparison.medianCpuInSeconds.toFixed(2)} CPU-s ` +
    `vs ${comparison.referenceWallInSeconds.toFixed(2)} s, ${comparison.referenceCpuInSeconds.toFixed(2)} CPU-s; ` +
    `wall ratios ${comparison.wallRatios.map(x).join(' ')}; CPU ratios ${comparison.cpuRatios.map(x).join(' ')}`;
  report(
    `${comparison.label} / ${comparison.reference}: wall`,
    measured,
    wall,
    `<= ${maxWall}`,
    wall <= maxWall,
  );
  if (maxCpu !== undefined) {
    report(
      `${comparison.label} / ${comparison.reference}: CPU`,
      'same runs',
      cpu,
      `<= ${maxCpu}`,
      cpu <= maxCpu,
    );
  }
}

async function peers(a: string): Promise<void> {
  const parts = [1, 2, 3].map((index) => join(dataDir, `part-${index}-320mib.bin`));
  for (const part of parts) await writeBenchFile(part, 320 * 1024 * 1024);
  for (const file of [a, ...parts]) await warm(file);
  const [cli, engine] = await compareOneFile(a, runs);
  reportComparison(cli!, 1.0, 1.2);
  reportComparison(engine!, 1.0, 1.2);
  const [sequential, cliMany, engineMany] = await compareManyFiles(parts, runs);
  reportComparison(sequential!, Number.POSITIVE_INFINITY);
  reportComparison(cliMany!, 1.0);
  reportComparison(engineMany!, 1.0);
  for (const part of parts) await rm(part);
}

async function main(): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const a = join(dataDir, 'a-1gib.bin');
  const b = join(dataDir, 'b-1gib.bin');
  const big = join(dataDir, 'c-4gib.bin');
  try {
    console.log(`writing test files under ${dataDir} ...`);
    await writeBenchFile(a, GiB);
    if (sections.has('peers')) await peers(a);
    if (sections.has('engine')) await engineSections(a, b, big);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  const load = (await readFile('/proc/loadavg', 'utf8').catch(() => '?')).trim();
  console.log(`\n| measure | measured | ratio | target |\n| --- | --- | --- | --- |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nnode ${process.version}, runs ${runs} (median), load average at the end: ${load}`);
}

/** The in-process measures: pool throughput, two-core scaling, event loop, cache, memory. */
async function engineSections(a: string, b: string, big: string): Promise<void> {
  {
    await writeBenchFile(b, GiB);
    await writeBenchFile(big, 4 * GiB);
    await warm(a);
    await warm(b);

    const ceilings: number[] = [];
    const single: number[] = [];
    const onePool = createHashPool({ threadCount: 1 });
    await onePool.hash(a, 'sha256'); // starts the worker
    for (let index = 0; index < runs; index += 1) {
      ceilings.push(await opensslSha256BytesPerSecond());
      single.push(GiB / (await timed(() => onePool.hash(a, 'sha256'))));
    }
    await onePool.close();
    const ceiling = median(ceilings);
    const singleRate = median(single);
    console.log(`openssl ceiling ${gb(ceiling)} (runs: ${ceilings.map(gb).join(', ')})`);
    report(
      '1 GiB sha256, 1 worker',
      gb(singleRate),
      singleRate / ceiling,
      '>= 0.9 x openssl',
      singleRate / ceiling >= 0.9,
    );

    const twoPool = createHashPool({ threadCount: 2 });
    await Promise.all([twoPool.hash(a, 'sha256'), twoPool.hash(b, 'sha256')]);
    const speedups: number[] = [];
    for (let index = 0; index < runs; index += 1) {
      const sequential = await timed(async () => {
        await twoPool.hash(a, 'sha256');
        await twoPool.hash(b, 'sha256');
      });
      const parallel = await timed(() =>
        Promise.all([twoPool.hash(a, 'sha256'), twoPool.hash(b, 'sha256')]),
      );
      speedups.push(sequential / parallel);
    }
    await twoPool.close();
    const speedup = median(speedups);
    report(
      '2 x 1 GiB on 2 workers vs one after the other',
      `runs ${speedups.map((s) => s.toFixed(2)).join(', ')}`,
      speedup,
      '>= 1.7',
      speedup >= 1.7,
    );

    const delays: number[] = [];
    const delayPool = createHashPool({ threadCount: 1 });
    await delayPool.hash(b, 'md5');
    for (let index = 0; index < runs; index += 1) {
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      await delayPool.hash(a, 'sha256');
      histogram.disable();
      delays.push(histogram.percentile(99) / 1e6);
    }
    await delayPool.close();
    const delay = median(delays);
    report(
      'event-loop delay p99 while 1 GiB hashes',
      `${delay.toFixed(1)} ms`,
      delay / 20,
      '< 20 ms',
      delay < 20,
    );

    const cacheDirectory = join(dataDir, 'cache');
    const verifier = createChecksumVerifier({ cacheDirectory, threadCount: 1 });
    const full = await timed(() => verifier.digest(a, 'sha256'));
    const cachedTimes: number[] = [];
    for (let index = 0; index < 50; index += 1) {
      cachedTimes.push(
        await timed(async () => {
          const result = await verifier.digest(a, 'sha256');
          if (result.source !== 'cache') throw new Error('expected a cache hit');
        }),
      );
    }
    await verifier.close();
    const cached = median(cachedTimes);
    report(
      're-verify unchanged 1 GiB via fingerprint cache',
      `${(full * 1000).toFixed(0)} ms full vs ${(cached * 1000).toFixed(2)} ms cached`,
      full / cached,
      '>= 100 x faster',
      full / cached >= 100,
    );

    await warm(big);
    const probe = join(import.meta.dirname, 'rss-probe.js');
    const { stdout } = await run(process.execPath, [probe, big]);
    const rss = JSON.parse(stdout) as { sampledGrowth: number; maxRssGrowth: number };
    const growthMiB = Math.max(rss.sampledGrowth, rss.maxRssGrowth) / 1024 ** 2;
    report(
      '4 GiB file: peak RSS growth',
      `${growthMiB.toFixed(1)} MiB (sampled ${(rss.sampledGrowth / 1024 ** 2).toFixed(1)}, max RSS ${(rss.maxRssGrowth / 1024 ** 2).toFixed(1)})`,
      growthMiB / 64,
      '< 64 MiB',
      growthMiB < 64,
    );
  }
}

await main();
