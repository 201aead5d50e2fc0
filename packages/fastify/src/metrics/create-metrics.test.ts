import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createChecksumVerifier, ModelLoader } from '@model-loader/core';
import { describe, expect, it, vi } from 'vitest';
import { parsePrometheusText, sampleValue } from '../test-support/parse-prometheus.js';
import { buildApp, createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';

describe('GET /metrics', () => {
  it('serves Prometheus text whose counters follow loads, checksums and refusals', async () => {
    const bytes = ggufBytes(5000);
    const digest = createHash('sha256').update(bytes).digest('hex');
    const modelDir = await createModelDir({ 'a.gguf': bytes, 'b.gguf': ggufBytes() });
    let failuresLeft = 1;
    const flaky = createTestLoader({
      fail: () => (failuresLeft-- > 0 ? new Error('transient') : undefined),
    });
    const test = createTestLoader();
    const loader = new ModelLoader({
      modelDir,
      backoff: { initialDelayInMs: 1 },
      checksumCacheDirectory: false,
    })
      .register({ name: 'a', path: 'a.gguf', adapter: flaky.load, attempts: 2, checksum: digest })
      .register({
        name: 'b',
        path: 'b.gguf',
        adapter: test.load,
        checksum: `sha256:${'0'.repeat(64)}`,
      })
      .register({ name: 'c', path: 'c.gguf', adapter: test.load, required: false });
    const app = await buildApp({ loader, limits: { maxQueue: 0, concurrency: 1 } }, {}, (app) => {
      app.get('/hold', async () =>
        app.models.run('a', () => new Promise((resolve) => setTimeout(resolve, 100, 'ok'))),
      );
    });
    await app.models.loadInBackground();

    const first = parsePrometheusText((await app.inject('/metrics')).body);
    const response = await app.inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const samples = parsePrometheusText(response.body);
    const p = 'model_loader_';
    expect(sampleValue(samples, `${p}model_state`, { model: 'a', state: 'loaded' })).toBe(1);
    expect(sampleValue(samples, `${p}model_state`, { model: 'a', state: 'failed' })).toBe(0);
    expect(sampleValue(samples, `${p}model_state`, { model: 'b', state: 'failed' })).toBe(1);
    expect(sampleValue(samples, `${p}load_attempts_total`, { model: 'a' })).toBe(2);
    expect(
      sampleValue(samples, `${p}load_attempt_failures_total`, {
        model: 'a',
        code: 'MODEL_LOAD_FAILED',
      }),
    ).toBe(1);
    expect(
      sampleValue(samples, `${p}load_failures_total`, { model: 'c', code: 'MODEL_FILE_NOT_FOUND' }),
    ).toBe(1);
    expect(
      sampleValue(samples, `${p}load_failures_total`, { model: 'b', code: 'CHECKSUM_MISMATCH' }),
    ).toBe(1);
    expect(
      sampleValue(samples, `${p}checksum_bytes_hashed_total`, { model: 'a', algorithm: 'sha256' }),
    ).toBe(5000);
    expect(
      sampleValue(samples, `${p}load_duration_seconds_count`, { model: 'a', outcome: 'success' }),
    ).toBe(1);
    expect(sampleValue(samples, `${p}ready`)).toBe(0);
    expect(sampleValue(samples, `${p}memory_budget_bytes`)).toBe(Infinity);
    expect(first).toEqual(samples);

    const running = app.inject('/hold');
    // Poll until the held request is running (a fixed wait flakes on a loaded machine).
    await vi.waitFor(async () => {
      const during = parsePrometheusText((await app.inject('/metrics')).body);
      expect(sampleValue(during, `${p}requests_in_flight`, { model: 'a' })).toBe(1);
    });
    expect((await app.inject('/hold')).statusCode).toBe(503);
    expect((await running).statusCode).toBe(200);
    const after = parsePrometheusText((await app.inject('/metrics')).body);
    expect(sampleValue(after, `${p}requests_in_flight`, { model: 'a' })).toBe(0);
    expect(
      sampleValue(after, `${p}requests_rejected_total`, { model: 'a', code: 'MODEL_BUSY' }),
    ).toBe(1);
    expect(sampleValue(after, `${p}request_duration_seconds_count`, { outcome: 'ok' })).toBe(1);
  });

  it('counts fingerprint cache hits instead of hashed bytes', async () => {
    const bytes = ggufBytes(3000);
    const digest = createHash('sha256').update(bytes).digest('hex');
    const modelDir = await createModelDir({ 'a.gguf': bytes });
    const verifier = createChecksumVerifier({
      cacheDirectory: join(dirname(modelDir), 'cache'),
      racyWindowInMs: 0,
      threadCount: 1,
    });
    const test = createTestLoader();
    const loader = new ModelLoader({ modelDir, checksumVerifier: verifier }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: test.load,
      checksum: digest,
    });
    const app = await buildApp({ loader });
    try {
      await app.models.loadInBackground();
      await loader.reload('a');
      const samples = parsePrometheusText((await app.inject('/metrics')).body);
      const labels = { model: 'a', algorithm: 'sha256' };
      expect(sampleValue(samples, 'model_loader_checksum_bytes_hashed_total', labels)).toBe(3000);
      expect(sampleValue(samples, 'model_loader_checksum_cache_hits_total', labels)).toBe(1);
    } finally {
      await verifier.close();
    }
  });

  it('gives each app its own registry, with default process metrics', async () => {
    const modelDir = await createModelDir();
    const apps = await Promise.all(
      [1, 2].map(() =>
        buildApp({ loader: new ModelLoader({ modelDir }), metrics: { defaultMetrics: true } }),
      ),
    );
    for (const app of apps) {
      const samples = parsePrometheusText((await app.inject('/metrics')).body);
      expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
      expect(sampleValue(samples, 'model_loader_ready')).toBe(1);
    }
    expect(apps[0]!.models.metricsRegistry).not.toBe(apps[1]!.models.metricsRegistry);
  });

  it('is absent with `metrics: false`', async () => {
    const modelDir = await createModelDir();
    const app = await buildApp({ loader: new ModelLoader({ modelDir }), metrics: false });
    expect((await app.inject('/metrics')).statusCode).toBe(404);
    expect(app.models.metricsRegistry).toBeUndefined();
  });
});
