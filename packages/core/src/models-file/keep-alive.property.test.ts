import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keepAliveProblem, parseKeepAliveInMs } from './keep-alive.js';

describe('parseKeepAliveInMs', () => {
  it('reads durations in ms, s, m and h, numbers of ms, and the forever spellings', () => {
    expect(parseKeepAliveInMs('30s')).toBe(30_000);
    expect(parseKeepAliveInMs('5m')).toBe(300_000);
    expect(parseKeepAliveInMs('1h')).toBe(3_600_000);
    expect(parseKeepAliveInMs('250ms')).toBe(250);
    expect(parseKeepAliveInMs('1.5s')).toBe(1500);
    expect(parseKeepAliveInMs(0)).toBe(0);
    expect(parseKeepAliveInMs(1200)).toBe(1200);
    for (const forever of [-1, 'forever', undefined] as const)
      expect(parseKeepAliveInMs(forever)).toBe(Number.POSITIVE_INFINITY);
  });

  it('a duration written with any unit parses to amount x unit', () => {
    const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom(...(Object.keys(units) as (keyof typeof units)[])),
        (amount, unit) => {
          expect(parseKeepAliveInMs(`${amount}${unit}`)).toBe(amount * units[unit]);
        },
      ),
    );
  });

  it('anything else fails with CONFIG_INVALID naming the accepted forms', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string().filter((text) => !/^\s*(forever|\d+(\.\d+)?(ms|s|m|h))\s*$/.test(text)),
          fc
            .double()
            .filter((n) => !(Number.isSafeInteger(n) && n >= 0) && n !== -1 && n !== Infinity),
        ),
        (value) => {
          expect(keepAliveProblem(value)).toMatch(/use a duration like '30s'/);
          expect(() => parseKeepAliveInMs(value, 'chat')).toThrow(
            expect.objectContaining({ code: 'CONFIG_INVALID', modelName: 'chat' }),
          );
        },
      ),
    );
  });
});
