import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { backoffDelayInMs, defaultBackoff, resolveBackoff } from './backoff-options.js';
import { retryWithBackoff } from './retry-with-backoff.js';

const transient = () => new ModelLoaderError('MODEL_LOAD_FAILED', 'flaky');
const retryable = (error: unknown) => ModelLoaderError.isInstance(error) && error.isRetryable;

describe('backoff', () => {
  it("has the seed's schedule: 0.5 s, 1 s, 2 s, 4 s", () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelayInMs(retry, defaultBackoff))).toEqual([
      500, 1000, 2000, 4000,
    ]);
  });

  it('is capped and, with full jitter, stays within [0, delay]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (retry, initialDelayInMs, backoffFactor, maxDelayInMs, random) => {
          const backoff = resolveBackoff({ initialDelayInMs, backoffFactor, maxDelayInMs });
          const plain = backoffDelayInMs(retry, backoff);
          expect(plain).toBeLessThanOrEqual(maxDelayInMs);
          expect(plain).toBe(
            Math.min(initialDelayInMs * backoffFactor ** (retry - 1), maxDelayInMs),
          );
          const jittered = backoffDelayInMs(retry, { ...backoff, jitter: 'full' }, () => random);
          expect(jittered).toBeGreaterThanOrEqual(0);
          expect(jittered).toBeLessThanOrEqual(plain);
        },
      ),
    );
  });

  it('names the bad option in backticks', () => {
    expect(() => resolveBackoff({ backoffFactor: 0.5 })).toThrowError(
      '`backoffFactor` must be a finite number >= 1',
    );
    expect(() => resolveBackoff({ initialDelayInMs: -1 })).toThrowError(
      '`initialDelayInMs` must be a finite number >= 0',
    );
  });
});

describe('retryWithBackoff', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits the scheduled delays between attempts (fake timers)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        async (attempts, failures) => {
          const calledAt: number[] = [];
          const start = Date.now();
          const promise = retryWithBackoff(
            async (attempt) => {
              calledAt.push(Date.now() - start);
              if (attempt <= failures) throw transient();
              return attempt;
            },
            { attempts, backoff: defaultBackoff, shouldRetry: retryable },
          );
          const settled = promise.then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          );
          await vi.runAllTimersAsync();
          const outcome = await settled;
          const calls = Math.min(attempts, failures + 1);
          expect(calledAt).toHaveLength(calls);
          // Attempt n starts after 0.5 s + 1 s + ... of waiting.
          calledAt.forEach((at, index) => {
            const waited = Array.from({ length: index }, (_, retry) => 500 * 2 ** retry).reduce(
              (a, b) => a + b,
              0,
            );
            expect(at).toBe(waited);
          });
          if (failures < attempts) expect(outcome).toEqual({ value: failures + 1 });
          else expect('error' in outcome).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('does not retry an error that is not transient, and says so', async () => {
    let calls = 0;
    const error = await retryWithBackoff(
      async () => {
        calls++;
        throw new ModelLoaderError('MODEL_FILE_CORRUPT', 'bad tensor');
      },
      { attempts: 5, backoff: defaultBackoff, shouldRetry: retryable },
    ).catch((e: unknown) => e as ModelLoaderError);
    expect(calls).toBe(1);
    expect(error.code).toBe('MODEL_FILE_CORRUPT');
    expect(error.stopReason).toBe('errorNotRetryable');
    expect(error.message).toBe(
      'bad tensor (not retried after attempt 1: the error is not transient)',
    );
  });

  it('stops waiting at once when aborted and never retries after an abort', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = retryWithBackoff(
      async () => {
        calls++;
        throw transient();
      },
      { attempts: 5, backoff: defaultBackoff, shouldRetry: retryable, signal: controller.signal },
    ).catch((e: unknown) => e as ModelLoaderError);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('shutdown'));
    const error = await promise;
    expect(calls).toBe(1);
    expect(error.stopReason).toBe('aborted');
    expect(error.attemptErrors).toHaveLength(2);
  });

  it('returns the original error unchanged with a single attempt', async () => {
    const original = transient();
    await expect(
      retryWithBackoff(
        async () => {
          throw original;
        },
        { attempts: 1, backoff: defaultBackoff, shouldRetry: retryable },
      ),
    ).rejects.toBe(original);
  });
});
