import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundedLimiter } from './bounded-limiter.js';

const settings = { concurrency: 2, maxQueue: 2, retryAfterInSeconds: 1 };

describe('createBoundedLimiter', () => {
  it('grants slots in FIFO order and lets an aborted waiter leave the queue', async () => {
    const limiter = createBoundedLimiter('m', settings);
    const never = new AbortController().signal;
    const first = await limiter.acquire(never);
    await limiter.acquire(never);
    const order: string[] = [];
    const leaving = new AbortController();
    const waitA = limiter.acquire(leaving.signal).then(
      () => order.push('a'),
      () => order.push('a aborted'),
    );
    const waitB = limiter.acquire(never).then((release) => {
      order.push('b');
      return release;
    });
    await expect(limiter.acquire(never)).rejects.toMatchObject({ code: 'MODEL_BUSY' });
    leaving.abort(new Error('gone'));
    await waitA;
    expect(limiter.pendingCount).toBe(1);
    first();
    first(); // a second call of the same release is ignored
    const releaseB = await waitB;
    expect(order).toEqual(['a aborted', 'b']);
    expect([limiter.activeCount, limiter.pendingCount]).toEqual([2, 0]);
    releaseB();
    expect(limiter.activeCount).toBe(1);
  });

  it('never runs more than `concurrency` and ends idle, whatever the schedule', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(3), fc.boolean()), { minLength: 1, maxLength: 30 }),
        async (steps) => {
          const limiter = createBoundedLimiter('m', settings);
          let running = 0;
          let most = 0;
          const runs = steps.map(async ([delay, abort]) => {
            const controller = new AbortController();
            if (abort) setTimeout(() => controller.abort(new Error('x')), delay);
            try {
              const release = await limiter.acquire(controller.signal);
              running++;
              most = Math.max(most, running);
              await new Promise((resolve) => setTimeout(resolve, delay));
              running--;
              release();
            } catch {
              // refused (queue full) or aborted while waiting
            }
          });
          await Promise.all(runs);
          await limiter.idle();
          expect(most).toBeLessThanOrEqual(2);
          expect([limiter.activeCount, limiter.pendingCount]).toEqual([0, 0]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
