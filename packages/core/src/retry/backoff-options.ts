import { ModelLoaderError } from '../errors/model-loader-error.js';

/** Backoff schedule between load attempts. */
export interface BackoffOptions {
  /** Delay before the first retry. @default 500 */
  readonly initialDelayInMs?: number;
  /** Each further delay is the previous one times this. @default 2 */
  readonly backoffFactor?: number;
  /** No delay is longer than this. @default 30000 */
  readonly maxDelayInMs?: number;
  /** `full` picks each delay uniformly in [0, delay] (AWS "full jitter"). @default 'none' */
  readonly jitter?: 'none' | 'full';
}

/** Backoff options with defaults applied. */
export type ResolvedBackoff = Required<BackoffOptions>;

/** The seed's schedule: 0.5 s, 1 s, 2 s ... */
export const defaultBackoff: ResolvedBackoff = {
  initialDelayInMs: 500,
  backoffFactor: 2,
  maxDelayInMs: 30_000,
  jitter: 'none',
};

/**
 * Applies defaults and checks every field.
 * @throws ModelLoaderError CONFIG_INVALID naming the option in backticks.
 */
export function resolveBackoff(options: BackoffOptions = {}): ResolvedBackoff {
  const resolved = { ...defaultBackoff, ...stripUndefined(options) };
  const invalid = (name: string, rule: string) =>
    new ModelLoaderError('CONFIG_INVALID', `\`${name}\` must be ${rule}`);
  if (!Number.isFinite(resolved.initialDelayInMs) || resolved.initialDelayInMs < 0) {
    throw invalid('initialDelayInMs', 'a finite number >= 0');
  }
  if (!Number.isFinite(resolved.backoffFactor) || resolved.backoffFactor < 1) {
    throw invalid('backoffFactor', 'a finite number >= 1');
  }
  if (!(resolved.maxDelayInMs >= 0)) throw invalid('maxDelayInMs', 'a number >= 0');
  if (resolved.jitter !== 'none' && resolved.jitter !== 'full') {
    throw invalid('jitter', "'none' or 'full'");
  }
  return resolved;
}

/**
 * Delay before retry number `retry` (1 = the wait before the second attempt).
 * `random` is injectable for tests.
 */
export function backoffDelayInMs(
  retry: number,
  backoff: ResolvedBackoff,
  random: () => number = Math.random,
): number {
  const raw = backoff.initialDelayInMs * backoff.backoffFactor ** (retry - 1);
  const capped = Math.min(raw, backoff.maxDelayInMs);
  return backoff.jitter === 'full' ? Math.floor(random() * capped) : capped;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
