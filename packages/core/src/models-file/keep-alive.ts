import { ModelLoaderError } from '../errors/model-loader-error.js';

/**
 * How long a loaded model stays loaded after its last use: a duration string (`'500ms'`, `'30s'`,
 * `'5m'`, `'1h'`), a number of milliseconds, `0` (unload as soon as it is idle), or `-1` /
 * `'forever'` (never unload for being idle).
 */
export type KeepAliveInput = string | number;

const unitInMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Why `value` is no keep-alive, or undefined when it is one. */
export function keepAliveProblem(value: unknown): string | undefined {
  const hint =
    "use a duration like '30s', '5m' or '1h', a number of milliseconds, 0, -1 or 'forever'";
  if (typeof value === 'number') {
    if (value === -1 || value === Number.POSITIVE_INFINITY) return undefined;
    return Number.isSafeInteger(value) && value >= 0
      ? undefined
      : `${value} is no keep-alive; ${hint}`;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === 'forever' || durationPattern.test(text)) return undefined;
    return `${JSON.stringify(value)} is no keep-alive; ${hint}`;
  }
  return `expected a string or a number; ${hint}`;
}

/**
 * Milliseconds a model stays loaded when idle: `Infinity` for `-1`, `'forever'` and no value (the
 * default: models stay loaded).
 * @throws ModelLoaderError CONFIG_INVALID for anything else than {@link KeepAliveInput}
 */
export function parseKeepAliveInMs(value: KeepAliveInput | undefined, modelName?: string): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  const problem = keepAliveProblem(value);
  if (problem !== undefined) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid keepAlive${modelName === undefined ? '' : ` of model '${modelName}'`}: ${problem}`,
      modelName === undefined ? {} : { modelName },
    );
  }
  if (typeof value === 'number') return value === -1 ? Number.POSITIVE_INFINITY : value;
  const text = value.trim();
  if (text === 'forever') return Number.POSITIVE_INFINITY;
  const [, amount, unit] = durationPattern.exec(text)!;
  return Math.round(Number(amount) * unitInMs[unit as keyof typeof unitInMs]);
}
