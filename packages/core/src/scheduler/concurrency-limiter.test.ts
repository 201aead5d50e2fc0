import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConcurrencyLimiter } from './concurrency-limiter.js';

describe('createConcurrencyLimiter', () => {
  it('never runs more than `concurrency` tasks at once and runs every task', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.record({ delay: fc.integer({ min: 0, max: 3 }), fails: fc.boolean() }), {
          maxLength: 25,
        }),
        async (concurrency, tasks) => {
          const limit = createConcurrencyLimiter(concurrency);
          let active = 0;
          let peak = 0;
          const outcomes = await Promise.allSettled(
            tasks.map((task, index) =>
              limit(async () => {
                active++;
                peak = Math.max(peak, active);
                expect(limit.activeCount).toBeLessThanOrEqual(concurrency);
                await new Promise((resolve) => setTimeout(resolve, task.delay));
                active--;
                if (task.fails) throw new Error(`task ${index}`);
                return index;
              }),
            ),
          );
          expect(peak).toBeLessThanOrEqual(concurrency);
          expect(outcomes.map((outcome) => outcome.status)).toEqual(
            tasks.map((task) => (task.fails ? 'rejected' : 'fulfilled')),
          );
          expect([limit.activeCount, limit.pendingCount]).toEqual([0, 0]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rejects a concurrency below 1', () => {
    expect(() => createConcurrencyLimiter(0)).toThrowError(
      '`concurrency` must be an integer >= 1, got 0',
    );
  });
});
