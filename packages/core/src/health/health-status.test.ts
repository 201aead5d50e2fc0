import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelState } from '../lifecycle/model-state.js';
import { computeHealth, type ModelHealthInput, toHealthWire } from './health-status.js';

const states: ModelState[] = ['pending', 'validating', 'loading', 'loaded', 'failed', 'unloaded'];

const modelArbitrary = fc.record({
  required: fc.boolean(),
  state: fc.constantFrom(...states),
  settledOnce: fc.boolean(),
});

/** The seed's rule, written independently of the implementation. */
function expectedStatus(models: readonly ModelHealthInput[]): string {
  const required = models.filter((model) => model.required);
  if (required.some((model) => model.state !== 'loaded' && model.settledOnce)) return 'unhealthy';
  if (required.some((model) => model.state !== 'loaded')) return 'loading';
  if (models.every((model) => model.state === 'loaded')) return 'healthy';
  return 'degraded';
}

describe('computeHealth', () => {
  it('follows the seed rule for any mix of required/optional and loaded/failed models', () => {
    fc.assert(
      fc.property(fc.array(modelArbitrary, { maxLength: 12 }), (drafts) => {
        const models = drafts.map((draft, index) => ({ name: `m${index}`, ...draft }));
        const health = computeHealth(models);
        expect(health.status).toBe(expectedStatus(models));
        expect(health.loadedCount).toBe(models.filter((model) => model.state === 'loaded').length);
        expect(health.totalCount).toBe(models.length);
        expect(Object.keys(health.modelsLoaded)).toEqual(models.map((model) => model.name));
      }),
    );
  });

  it('is healthy, degraded and unhealthy exactly as the seed documents', () => {
    const loaded = { state: 'loaded', settledOnce: true } as const;
    const failed = {
      state: 'failed',
      settledOnce: true,
      error: { code: 'MODEL_FILE_NOT_FOUND', message: 'Model file not found: b.gguf' },
    } as const;
    expect(computeHealth([{ name: 'a', required: true, ...loaded }]).status).toBe('healthy');
    const degraded = computeHealth([
      { name: 'a', required: true, ...loaded },
      { name: 'b', required: false, ...failed },
    ]);
    expect(degraded.status).toBe('degraded');
    expect(degraded.errors).toEqual({ b: failed.error });
    const unhealthy = computeHealth([
      { name: 'a', required: true, ...failed },
      { name: 'b', required: false, ...loaded },
    ]);
    expect(toHealthWire(unhealthy)).toEqual({
      status: 'unhealthy',
      message: 'Required models not loaded: a',
      models_loaded: { a: false, b: true },
      loaded_count: 1,
      total_count: 2,
      errors: { a: 'MODEL_FILE_NOT_FOUND: Model file not found: b.gguf' },
    });
  });
});
