import { ModelLoaderError } from '../errors/model-loader-error.js';

/**
 * How long an idle model stays loaded: a number of milliseconds, a duration with its unit
 * (`'500ms'`, `'30s'`, `'5m'`, `'1h'`), `0` (unload after each use), or a negative value /
 * `'forever'` (never unload). A string without a unit is refused: it would be seconds in Ollama's
 * `keep_alive` and milliseconds everywhere else in this API.
 */
export type KeepAlive = number | string;

const unitInMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a keep-alive to milliseconds; `Infinity` means never unload.
 * @throws ModelLoaderError CONFIG_INVALID for anything else
 */
export function parseKeepAliveInMs(value: KeepAlive, field = '`keepAlive`'): number {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw invalid(value, field);
    return value < 0 ? Number.POSITIVE_INFINITY : value;
  }
  if (typeof value !== 'string') throw invalid(value, field);
  const text = value.trim().toLowerCase();
  if (text === 'forever' || text === 'never' || text === '-1') return Number.POSITIVE_INFINITY;
  if (text === '0') return 0;
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match) throw invalid(value, field);
  const amount = Number(match[1]);
  if (amount < 0) return Number.POSITIVE_INFINITY;
  const inMs = amount * unitInMs[match[2]!]!;
  if (!Number.isFinite(inMs)) throw invalid(value, field);
  return inMs;
}

function invalid(value: unknown, field: string): ModelLoaderError {
  return new ModelLoaderError(
    'CONFIG_INVALID',
    `${field} must be a duration such as '30s', '5m' or '1h', a number of milliseconds, 0 (unload after each use) or -1 / 'forever' (never unload); got ${JSON.stringify(value)}`,
  );
}
