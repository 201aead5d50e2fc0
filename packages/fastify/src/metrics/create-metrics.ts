import { type ModelRegistry, type ModelState, modelStateTransitions } from '@model-loader/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BoundedLimiter } from '../limits/bounded-limiter.js';

/** Settings of the Prometheus metrics. */
export interface MetricsSettings {
  /** Prefix of the model metrics. */
  readonly prefix: string;
  /** Also collect prom-client's default process and Node.js metrics. */
  readonly defaultMetrics: boolean;
  /** Registry to write to; a new one per app when not given (never prom-client's global one). */
  readonly registry?: Registry;
}

/** What the metrics need to read at scrape time. */
export interface MetricsSources {
  readonly loader: ModelRegistry;
  readonly limiters: () => ReadonlyMap<string, BoundedLimiter>;
  readonly isReady: () => boolean;
}

/** The metrics of one app. */
export interface ModelMetrics {
  readonly registry: Registry;
  /** Counts a refused or aborted `run` by model and code. */
  readonly countRejected: (model: string, code: string) => void;
  /** Records one `run` call's duration and outcome. */
  readonly observeRun: (model: string, outcome: 'ok' | 'error', durationInSeconds: number) => void;
  /** Stops listening to the loader's events. */
  readonly close: () => void;
}

const modelStates = Object.keys(modelStateTransitions) as ModelState[];
const loadBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const runBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Creates the model metrics on a registry and keeps them current from the loader's events. */
export function createMetrics(settings: MetricsSettings, sources: MetricsSources): ModelMetrics {
  const registry = settings.registry ?? new Registry();
  const p = settings.prefix;
  const registers = [registry];
  const { loader } = sources;

  new Gauge({
    name: `${p}model_state`,
    help: 'Current state of each model (1 for the state it is in, 0 for the others).',
    labelNames: ['model', 'state'],
    registers,
    collect() {
      this.reset();
      for (const name of loader.modelNames) {
        const current = loader.getModelInfo(name).state;
        for (const state of modelStates)
          this.set({ model: name, state }, state === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: `${p}ready`,
    help: '1 when every required model is loaded and the server is not shutting down.',
    registers,
    collect() {
      this.set(sources.isReady() ? 1 : 0);
    },
  });
  const loadDuration = new Histogram({
    name: `${p}load_duration_seconds`,
    help: 'Duration of model loads (validation, checksum, loader, retries), by outcome.',
    labelNames: ['model', 'outcome', 'reload'],
    buckets: loadBuckets,
    registers,
  });
  const loadAttempts = new Counter({
    name: `${p}load_attempts_total`,
    help: 'Load attempts made, retries included.',
    labelNames: ['model'],
    registers,
  });
  const loadFailures = new Counter({
    name: `${p}load_failures_total`,
    help: 'Loads (after all their attempts) that failed, by error code.',
    labelNames: ['model', 'code'],
    registers,
  });
  const attemptFailures = new Counter({
    name: `${p}load_attempt_failures_total`,
    help: 'Single load attempts that failed and were retried, by error code.',
    labelNames: ['model', 'code'],
    registers,
  });
  const bytesHashed = new Counter({
    name: `${p}checksum_bytes_hashed_total`,
    help: 'Bytes read and hashed to verify checksums (cache hits excluded).',
    labelNames: ['model', 'algorithm'],
    registers,
  });
  const hashingSeconds = new Counter({
    name: `${p}checksum_hashing_seconds_total`,
    help: 'Time spent hashing model files to verify checksums (cache hits excluded).',
    labelNames: ['model', 'algorithm'],
    registers,
  });
  const cacheHits = new Counter({
    name: `${p}checksum_cache_hits_total`,
    help: 'Checksums answered by the fingerprint cache without reading the file.',
    labelNames: ['model', 'algorithm'],
    registers,
  });
  new Gauge({
    name: `${p}requests_in_flight`,
    help: 'Calls running with each model (app.models.run).',
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const [model, limiter] of sources.limiters()) this.set({ model }, limiter.activeCount);
    },
  });
  new Gauge({
    name: `${p}requests_queued`,
    help: 'Calls waiting for a slot of each model (app.models.run).',
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const [model, limiter] of sources.limiters()) this.set({ model }, limiter.pendingCount);
    },
  });
  const rejected = new Counter({
    name: `${p}requests_rejected_total`,
    help: 'Calls refused or cut short (MODEL_BUSY, REQUEST_TIMEOUT, REQUEST_ABORTED, SHUTTING_DOWN ...).',
    labelNames: ['model', 'code'],
    registers,
  });
  const runDuration = new Histogram({
    name: `${p}request_duration_seconds`,
    help: 'Duration of calls with a model (queue wait included), by outcome.',
    labelNames: ['model', 'outcome'],
    buckets: runBuckets,
    registers,
  });
  new Gauge({
    name: `${p}memory_reserved_bytes`,
    help: 'Bytes reserved in the memory budget by loading and loaded models.',
    registers,
    collect() {
      this.set(loader.getMemoryUsage().usedInBytes);
    },
  });
  new Gauge({
    name: `${p}memory_budget_bytes`,
    help: 'The memory budget (+Inf when unlimited).',
    registers,
    collect() {
      this.set(loader.getMemoryUsage().budgetInBytes);
    },
  });

  new Counter({
    name: `${p}model_restarts_total`,
    help: 'Restarts of each model after its process died (since registration or its last manual load).',
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const name of loader.modelNames) {
        this.inc({ model: name }, loader.getModelInfo(name).restarts ?? 0);
      }
    },
  });
  new Gauge({
    name: `${p}model_process_resident_bytes`,
    help: "Resident memory of each isolated model's process, measured after its load.",
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const name of loader.modelNames) {
        const running = loader.getModelInfo(name).process;
        if (running) this.set({ model: name }, running.rssInBytes);
      }
    },
  });

  new Gauge({
    name: `${p}model_resident_bytes`,
    help: "Bytes each loaded model holds in the memory budget: its process's measured size, else its estimate.",
    labelNames: ['model'],
    registers,
    collect() {
      this.reset();
      for (const name of loader.modelNames) {
        const resident = loader.getModelInfo(name).residentBytes;
        if (resident !== undefined) this.set({ model: name }, resident);
      }
    },
  });
  const loads = new Counter({
    name: `${p}model_loads_total`,
    help: 'Successful loads by reason: startup (loadAll or load), on-demand (a request), reload.',
    labelNames: ['model', 'reason'],
    registers,
  });
  const unloads = new Counter({
    name: `${p}model_unloads_total`,
    help: 'Unloads by reason: keep-alive (idle time ran out), evicted (room for another model), request (unload or shutdown).',
    labelNames: ['model', 'reason'],
    registers,
  });
  const evictions = new Counter({
    name: `${p}model_evictions_total`,
    help: 'Idle models unloaded to make room in the memory budget for another model, by the model that needed it.',
    labelNames: ['model', 'for_model'],
    registers,
  });
  const onDemand = new Set<string>();

  if (settings.defaultMetrics) collectDefaultMetrics({ register: registry });

  const unsubscribe = [
    loader.on('loadEnd', (event) => {
      const labels = { model: event.name, reload: String(event.reload) };
      loadDuration.observe(
        { ...labels, outcome: event.ok ? 'success' : 'failure' },
        event.durationInMs / 1000,
      );
      if (event.attempts > 0) loadAttempts.inc({ model: event.name }, event.attempts);
      if (!event.ok) loadFailures.inc({ model: event.name, code: event.error?.code ?? 'UNKNOWN' });
    }),
    loader.on('loadEnd', (event) => {
      const reason = event.reload ? 'reload' : onDemand.has(event.name) ? 'on-demand' : 'startup';
      onDemand.delete(event.name);
      if (event.ok) loads.inc({ model: event.name, reason });
    }),
    loader.on('scheduled', (event) => {
      if (event.action === 'load') {
        onDemand.add(event.name);
        return;
      }
      unloads.inc({ model: event.name, reason: event.reason });
      if (event.reason === 'evicted') {
        evictions.inc({ model: event.name, for_model: event.forModel ?? '' });
      }
    }),
    loader.on('stateChange', (event) => {
      if (event.to === 'unloaded' && event.from === 'loaded') {
        unloads.inc({ model: event.name, reason: 'request' });
      }
    }),
    loader.on('attemptFailed', (event) => {
      attemptFailures.inc({ model: event.name, code: event.error.code });
    }),
    loader.on('checksumVerified', (event) => {
      const labels = { model: event.name, algorithm: event.algorithm };
      if (event.source === 'cache') {
        cacheHits.inc(labels);
        return;
      }
      bytesHashed.inc(labels, event.sizeInBytes);
      hashingSeconds.inc(labels, event.durationInMs / 1000);
    }),
  ];

  return {
    registry,
    countRejected: (model, code) => rejected.inc({ model, code }),
    observeRun: (model, outcome, durationInSeconds) =>
      runDuration.observe({ model, outcome }, durationInSeconds),
    close: () => {
      for (const stop of unsubscribe) stop();
    },
  };
}
