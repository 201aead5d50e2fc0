import { spawn } from 'node:child_process';

/** Wall-clock and CPU seconds of one whole process (and its children). */
export interface ProcessTimes {
  readonly wallInSeconds: number;
  readonly cpuInSeconds: number;
}

/**
 * Runs `command args` to completion with stdout discarded and returns its wall time and the CPU time
 * (user + system) of it and everything it started. The CPU time comes from the POSIX shell's `times`
 * (children's totals, so `xargs -P` counts every openssl it ran); the shell's own start-up is in both
 * sides of every comparison and is about a millisecond.
 */
export async function timeProcess(command: string, args: readonly string[]): Promise<ProcessTimes> {
  const script = '"$@" >/dev/null; status=$?; times >&2; exit $status';
  const started = performance.now();
  const child = spawn('sh', ['-c', script, 'sh', command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallInSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`);
  // `times` prints the shell's own user/system times, then its children's: `0m1.234s 0m0.056s`.
  const lines = stderr.trim().split('\n');
  const children = lines.at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(
    (match) => Number(match[1]) * 60 + Number(match[2]),
  );
  if (seconds.length !== 2) throw new Error(`Cannot read the CPU times of ${command}: ${children}`);
  return { wallInSeconds, cpuInSeconds: seconds[0]! + seconds[1]! };
}
