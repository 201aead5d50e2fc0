import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';

const connections = 10;
const rounds = 3;
const roundInSeconds = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function startServer(
  hasher: 'worker' | 'main',
): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'server.ts')],
    {
      env: { ...process.env, HASHER: hasher },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function load(url: string, duration: number, conns = connections) {
  const result = await autocannon({ url, connections: conns, duration });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return { requestsPerSecond: result.requests.average, p99InMs: result.latency.p99 };
}

async function post(url: string): Promise<unknown> {
  return (await fetch(url, { method: 'POST' })).json();
}

// 1. Throughput of /health against a bare route of the same app, alternating, median of rounds.
const worker = await startServer('worker');
await load(`${worker.base}/bare`, 1);
await load(`${worker.base}/health`, 1);
const bare: number[] = [];
const health: number[] = [];
for (let round = 0; round < rounds; round++) {
  bare.push((await load(`${worker.base}/bare`, roundInSeconds)).requestsPerSecond);
  health.push((await load(`${worker.base}/health`, roundInSeconds)).requestsPerSecond);
}
const ratio = median(health) / median(bare);
console.log(`requests/s, ${connections} connections, median of ${rounds} x ${roundInSeconds} s:`);
console.log(`  bare route ${Math.round(median(bare))}, /health ${Math.round(median(health))}`);
console.log(`  ratio /health / bare = ${ratio.toFixed(2)} (target >= 0.8)`);

// 2. /health p99 latency, idle and while a 1 GiB checksum runs (repeatedly) in the server.
async function p99WhileHashing(base: string, label: string): Promise<number> {
  await post(`${base}/bench/hash/start`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const during = await load(`${base}/health`, 5, 1);
  const { hashesDone } = (await post(`${base}/bench/hash/stop`)) as { hashesDone: number };
  console.log(
    `  /health p99 while hashing 1 GiB (${label}): ${during.p99InMs} ms, ${Math.round(during.requestsPerSecond)} req/s, ${hashesDone} full hashes in the window`,
  );
  return during.p99InMs;
}
console.log('/health latency, 1 connection, 5 s:');
const idle = await load(`${worker.base}/health`, 5, 1);
console.log(`  /health p99 idle: ${idle.p99InMs} ms`);
const workerP99 = await p99WhileHashing(worker.base, 'worker threads');
await stopServer(worker.child);

const main = await startServer('main');
await load(`${main.base}/health`, 1, 1);
await p99WhileHashing(main.base, 'main-thread stream, for comparison');
await stopServer(main.child);
console.log(`target: p99 < 20 ms with worker threads -> ${workerP99 < 20 ? 'met' : 'NOT met'}`);
console.log(`target: ratio >= 0.8 -> ${ratio >= 0.8 ? 'met' : 'NOT met'}`);
