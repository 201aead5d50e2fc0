// Peak RSS of the ASR/OCR server while 40 clients upload 19 MB each at once, with the upload byte
// budget (its default, 4 x MAX_UPLOAD_BYTES) and without it (a budget larger than all uploads), each
// server in a fresh process of its own, in the same run. Peak = the kernel's VmHWM of the process.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 40);
const UPLOAD_BYTES = Number(process.env.BENCH_UPLOAD_BYTES ?? 19 * 1024 * 1024);
const serverScript = fileURLToPath(
  new URL('../../../apps/asr-ocr-server/dist/server.js', import.meta.url),
);

async function kib(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1] ?? Number.NaN);
}

function upload(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/ocr',
        headers: { 'content-type': 'image/png', 'content-length': body.length },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    // A refused upload is answered and its connection closed before the body is sent.
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

async function run(label: string, budget: string | undefined) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-upload-budget-'));
  const port = 18_500 + Math.floor(Math.random() * 1000);
  const child = spawn(process.execPath, [serverScript], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MODEL_DIR: join(dir, 'models'),
      RATE_LIMIT_MAX: '0',
      ...(budget ? { UPLOAD_BUDGET_BYTES: budget } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; i < 600; i++) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const before = await kib(child.pid!, 'VmRSS');
    const body = Buffer.alloc(UPLOAD_BYTES, 0x41);
    const statuses = await Promise.all(Array.from({ length: UPLOADS }, () => upload(port, body)));
    const peak = await kib(child.pid!, 'VmHWM');
    const counts = statuses.reduce<Record<string, number>>((all, status) => {
      all[status] = (all[status] ?? 0) + 1;
      return all;
    }, {});
    console.log(
      `${label}: RSS before ${(before / 1024).toFixed(0)} MiB, peak ${(peak / 1024).toFixed(0)} MiB (+${((peak - before) / 1024).toFixed(0)} MiB); answers ${JSON.stringify(counts)} (-1 = connection closed before the body was sent)`,
    );
    return peak - before;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `${UPLOADS} concurrent uploads of ${(UPLOAD_BYTES / 1024 / 1024).toFixed(0)} MiB to /ocr`,
);
const without = await run(
  'no budget (UPLOAD_BUDGET_BYTES = all uploads)',
  String(UPLOADS * UPLOAD_BYTES * 2),
);
const withBudget = await run('default budget (4 x MAX_UPLOAD_BYTES = 100 MiB)', undefined);
console.log(`RSS growth with the budget / without: ${(withBudget / without).toFixed(2)}`);
