import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { startTestApp } from './test-support/test-server.js';

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const names = ['alpha', 'beta', 'gamma'];
const onDemand = (entry: Record<string, unknown> = {}) =>
  names.map((name) => ({
    name,
    options: { contextSize: 256 },
    entry: { load: 'on-demand', ...entry },
  }));

function metric(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('scheduler through the real LLM server', () => {
  it('serves round-robin requests from several clients over 3 on-demand models when 2 fit, evicting idle ones', async () => {
    // The adapter's own estimate decides the budget: measure it on a first start (checks only).
    const probe = await startTestApp({ models: onDemand() });
    const estimate = probe.models.loader.getModelInfo('alpha').memoryEstimateInBytes!;
    expect(probe.models.loader.getModelInfo('alpha').state).toBe('idle');
    await probe.close();

    const app = await startTestApp({
      models: onDemand(),
      file: { memoryBudgetInBytes: Math.floor(estimate * 2.5) },
    });
    const base = await listen(app);
    const health = await fetch(`${base}/health`);
    expect(((await health.json()) as { status: string }).status).toBe('healthy');

    const statuses: number[] = [];
    const loadedCounts: number[] = [];
    await Promise.all(
      [0, 1, 2].map(async (client) => {
        for (let round = 0; round < 4; round++) {
          const model = names[(client + round) % names.length]!;
          const response = await fetch(`${base}/v1/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ model, prompt: 'hello', max_tokens: 3 }),
          });
          statuses.push(response.status);
          const text = await response.text();
          if (response.status !== 200) console.error(text);
          const ps = (await (await fetch(`${base}/ps`)).json()) as { models: unknown[] };
          loadedCounts.push(ps.models.length);
        }
      }),
    );
    expect(statuses).toEqual(Array(12).fill(200));
    expect(Math.max(...loadedCounts)).toBeLessThanOrEqual(2);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metric(metrics, 'model_loader_model_evictions_total')).toBeGreaterThan(0);
    expect(metric(metrics, 'model_loader_model_loads_total{')).toBeGreaterThanOrEqual(3);
    const ps = (await (await fetch(`${base}/ps`)).json()) as {
      models: { name: string; residentBytes: number; activeLeases: number }[];
      memory: { usedInBytes: number; budgetInBytes: number };
    };
    expect(ps.models.length).toBeLessThanOrEqual(2);
    expect(ps.models.every((model) => model.activeLeases === 0)).toBe(true);
    expect(ps.memory.usedInBytes).toBe(
      ps.models.reduce((sum, model) => sum + model.residentBytes, 0),
    );
    expect(ps.memory.usedInBytes).toBeLessThanOrEqual(ps.memory.budgetInBytes);
    const models = (await (await fetch(`${base}/models`)).json()) as {
      models: { name: string; state: string }[];
    };
    for (const model of models.models) expect(['idle', 'loaded']).toContain(model.state);
  });

  it("honours a request's keep_alive: 0 unloads the model after the answer", async () => {
    const app = await startTestApp({ models: onDemand() });
    const base = await listen(app);
    const response = await fetch(`${base}/inference`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_name: 'beta', prompt: 'hi', max_tokens: 2, keep_alive: 0 }),
    });
    expect(response.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (app.models.loader.getModelInfo('beta').state !== 'idle' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(app.models.loader.getModelInfo('beta').state).toBe('idle');
    const bad = await fetch(`${base}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'beta', prompt: 'hi', keep_alive: 'soon' }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { param?: string; message: string } };
    expect(body.error.message).toContain('keep_alive');
  });
});
