import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Single-core SHA-256 throughput in bytes per second, from `openssl speed -elapsed -evp sha256
 * -bytes 1048576`. `-elapsed` divides by wall-clock time, as our own measures do: without it openssl
 * divides by its CPU time, which on a shared machine overstates what a second of wall time allows.
 * The last line ends with the rate in thousands of bytes per second (`1451234.56k`).
 */
export async function opensslSha256BytesPerSecond(seconds = 2): Promise<number> {
  const { stdout } = await run('openssl', [
    'speed',
    '-elapsed',
    '-evp',
    'sha256',
    '-bytes',
    '1048576',
    '-seconds',
    String(seconds),
  ]);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const match = /([\d.]+)k\s*$/.exec(line);
  if (!match) throw new Error(`Cannot read the openssl speed output: ${line}`);
  return Number(match[1]) * 1000;
}
