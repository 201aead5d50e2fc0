import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultBackoff } from '../retry/backoff-options.js';
import { RestartBudget } from './restart-budget.js';

describe('RestartBudget', () => {
  it('allows maxRestarts in a window, with the backoff schedule, then refuses until the window slides', () => {
    let now = 0;
    const budget = new RestartBudget(
      { maxRestarts: 3, restartWindowInMs: 1000 },
      defaultBackoff,
      () => now,
    );
    expect([budget.next(), budget.next(), budget.next(), budget.next()]).toEqual([
      500,
      1000,
      2000,
      undefined,
    ]);
    now = 1001;
    expect(budget.next()).toBe(500);
    expect(budget.total).toBe(4);
  });

  it('never allows more than maxRestarts within any window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 60 }),
        (maxRestarts, windowInMs, steps) => {
          let now = 0;
          const budget = new RestartBudget(
            { maxRestarts, restartWindowInMs: windowInMs },
            defaultBackoff,
            () => now,
          );
          const granted: number[] = [];
          for (const step of steps) {
            now += step;
            if (budget.next() !== undefined) granted.push(now);
          }
          for (const at of granted) {
            const inWindow = granted.filter((other) => other >= at && other - at <= windowInMs);
            expect(inWindow.length).toBeLessThanOrEqual(maxRestarts);
          }
        },
      ),
    );
  });
});
