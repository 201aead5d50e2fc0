import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { median } from './bench-files.js';
import { type ProcessTimes, timeProcess } from './process-times.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The `model-loader` bin of the workspace's CLI package (built by `^build`). */
export const cliBin = join(
  dirname(require.resolve('@model-loader/cli/package.json')),
  'dist',
  'bin.js',
);
const probe = join(import.meta.dirname, 'engine-verify-probe.js');

/** One measured contender: how to run it, and its times per round. */
interface Contender {
  readonly label: string;
  readonly run: () => Promise<ProcessTimes>;
  readonly times: ProcessTimes[];
}

/** Per-round ratios of one contender against the reference, and the medians. */
export interface Comparison {
  readonly label: string;
  readonly reference: string;
  readonly wallRatios: number[];
  readonly cpuRatios: number[];
  readonly medianWallInSeconds: number;
  readonly medianCpuInSeconds: number;
  readonly referenceWallInSeconds: number;
  readonly referenceCpuInSeconds: number;
}

async function engineVerify(files: readonly string[], digests: readonly string[]) {
  const args = files.flatMap((file, index) => [file, digests[index]!]);
  const { stdout } = await run(process.execPath, [probe, ...args]);
  return JSON.parse(stdout) as ProcessTimes;
}

/** sha256 of each file, from openssl (the peer we are compared with). */
export async function opensslDigests(files: readonly string[]): Promise<string[]> {
  const { stdout } = await run('openssl', ['dgst', '-sha256', '-r', ...files]);
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[0]!);
}

/**
 * Runs every contender once per round, rotating who goes first so none always runs on a warmer or
 * quieter machine, and returns each contender's per-round ratios against the first (the peer).
 */
async function compare(contenders: Contender[], rounds: number): Promise<Comparison[]> {
  for (let round = 0; round < rounds; round += 1) {
    for (let step = 0; step < contenders.length; step += 1) {
      const contender = contenders[(round + step) % contenders.length]!;
      contender.times.push(await contender.run());
    }
  }
  const [reference, ...others] = contenders;
  const ref = reference!;
  return others.map((other) => ({
    label: other.label,
    reference: ref.label,
    wallRatios: other.times.map((t, i) => t.wallInSeconds / ref.times[i]!.wallInSeconds),
    cpuRatios: other.times.map((t, i) => t.cpuInSeconds / ref.times[i]!.cpuInSeconds),
    medianWallInSeconds: median(other.times.map((t) => t.wallInSeconds)),
    medianCpuInSeconds: median(other.times.map((t) => t.cpuInSeconds)),
    referenceWallInSeconds: median(ref.times.map((t) => t.wallInSeconds)),
    referenceCpuInSeconds: median(ref.times.map((t) => t.cpuInSeconds)),
  }));
}

const contender = (label: string, run: () => Promise<ProcessTimes>): Contender => ({
  label,
  run,
  times: [],
});

/** `model-loader hash` and the engine's start-up verification of one big file vs `openssl dgst`. */
export async function compareOneFile(file: string, rounds: number): Promise<Comparison[]> {
  const digests = await opensslDigests([file]);
  return compare(
    [
      contender('openssl dgst -sha256', () => timeProcess('openssl', ['dgst', '-sha256', file])),
      contender('model-loader hash', () =>
        timeProcess(process.execPath, [cliBin, 'hash', '-q', file]),
      ),
      contender('engine start-up verification (in process)', () => engineVerify([file], digests)),
    ],
    rounds,
  );
}

/** The same for several files, against `xargs -P<cores> -n1 openssl dgst -sha256`. */
export async function compareManyFiles(
  files: readonly string[],
  rounds: number,
): Promise<Comparison[]> {
  const digests = await opensslDigests(files);
  const cores = String(availableParallelism());
  const xargs = `printf '%s\\n' "$@" | xargs -P${cores} -n1 openssl dgst -sha256`;
  return compare(
    [
      contender(`xargs -P${cores} -n1 openssl dgst -sha256`, () =>
        timeProcess('sh', ['-c', xargs, 'sh', ...files]),
      ),
      contender('openssl dgst -sha256 (all files, one process)', () =>
        timeProcess('openssl', ['dgst', '-sha256', ...files]),
      ),
      contender('model-loader hash', () =>
        timeProcess(process.execPath, [cliBin, 'hash', '-q', ...files]),
      ),
      contender('engine start-up verification (in process)', () => engineVerify(files, digests)),
    ],
    rounds,
  );
}
