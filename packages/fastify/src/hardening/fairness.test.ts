import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelLoader } from '@model-loader/core';
import { describe, expect, it, vi } from 'vitest';
import { buildApp, createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';

const SERVICE_TIME_IN_MS = 60;
const WINDOW_IN_MS = 1000;
const ROUNDS = 4;

/**
 * The hammering client, in its own process as it would be on its own machine: 32 keep-alive
 * connections from 127.0.0.2 that send again the moment an answer arrives, Retry-After ignored.
 * It starts paused; "r" on stdin resumes it, "p" pauses it. On SIGTERM it prints its answers by
 * status as JSON.
 */
const hammerScript = `
const http = require('node:http');
const [port] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const statuses = {};
let running = true;
let paused = true;
let resume = () => {};
let gate = new Promise((r) => { resume = r; });
process.stdin.on('data', (data) => {
  for (const c of data.toString()) {
    if (c === 'r' && paused) { paused = false; resume(); }
    if (c === 'p' && !paused) { paused = true; gate = new Promise((r) => { resume = r; }); }
  }
});
const once = () => new Promise((resolve) => {
  const request = http.request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/work', agent, localAddress: '127.0.0.2' }, (response) => {
    response.resume();
    response.on('end', () => { statuses[response.statusCode] = (statuses[response.statusCode] || 0) + 1; resolve(); });
  });
  request.on('error', () => resolve());
  request.end();
});
for (let i = 0; i < 32; i++) (async () => { while (running) { if (paused) await gate; await once(); } })();
process.on('SIGTERM', () => { running = false; process.stdout.write(JSON.stringify(statuses)); process.exit(0); });
process.stdout.write('started\\n');
`;

/** One POST /work from `localAddress`; resolves with the status (never rejects). */
function post(port: number, agent: Agent, localAddress: string): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/work', agent, localAddress },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(0));
      },
    );
    request.on('error', () => resolve(0));
    request.end();
  });
}

/** A client that sends one request after the other (honouring nothing but its own pace). */
async function politeCompletions(port: number, until: () => boolean): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let completed = 0;
  while (!until()) {
    const status = await post(port, agent, '127.0.0.1');
    if (status === 200) completed++;
    // A refused polite client waits before it tries again, as Retry-After asks.
    else await sleep(SERVICE_TIME_IN_MS);
  }
  agent.destroy();
  return completed;
}

describe('fairness under a hammering client', () => {
  it('keeps at least half the polite client’s completed-request rate', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
    });
    const app = await buildApp(
      {
        loader,
        openapi: false,
        limits: { concurrency: 2, maxQueue: 16 },
        rateLimit: { max: 100_000, timeWindowInMs: 60_000 },
      },
      {},
      (app) => {
        app.post('/work', async () =>
          app.models.run('a', async (_model, signal) => {
            await sleep(SERVICE_TIME_IN_MS, undefined, { signal });
            return { ok: true };
          }),
        );
      },
    );
    await app.models.loadInBackground();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };

    // Warm up, then the polite client alone.
    await politeCompletions(
      port,
      (() => {
        let left = 5;
        return () => left-- <= 0;
      })(),
    );
    const hammer = spawn(process.execPath, ['-e', hammerScript, String(port)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let output = '';
    hammer.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const stats = () => app.models.requestStats('a');
    // Alone and contended windows alternate, so a change in the machine's load hits both alike.
    let alone = 0;
    let contended = 0;
    for (let round = 0; round < ROUNDS; round++) {
      hammer.stdin.write('p');
      await vi.waitFor(() => expect(stats().activeCount + stats().pendingCount).toBe(0), {
        timeout: 10_000,
      });
      let end = performance.now() + WINDOW_IN_MS;
      alone += await politeCompletions(port, () => performance.now() > end);
      hammer.stdin.write('r');
      // Wait until the hammer holds its share of the queue.
      await vi.waitFor(() => expect(stats().pendingCount).toBeGreaterThan(4), { timeout: 10_000 });
      end = performance.now() + WINDOW_IN_MS;
      contended += await politeCompletions(port, () => performance.now() > end);
    }
    hammer.kill('SIGTERM');
    await once(hammer, 'exit');
    const statuses = new Map(
      Object.entries(JSON.parse(output.replace('started\n', '')) as Record<string, number>).map(
        ([status, count]) => [Number(status), count],
      ),
    );

    const refused = statuses.get(503) ?? 0;
    console.log(
      `polite completions in ${ROUNDS} x ${WINDOW_IN_MS} ms: alone ${alone}, under the hammer ${contended} (ratio ${(contended / alone).toFixed(2)}); hammer: ${statuses.get(200) ?? 0} completed, ${refused} refused with 503`,
    );
    expect(alone).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(0);
    expect(contended).toBeGreaterThanOrEqual(alone / 2);
  }, 60_000);
});
