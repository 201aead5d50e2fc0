import { type HealthStatus, type ModelRegistry, toHealthWire } from '@model-loader/core';
import { scrubDeep } from './route-context.js';

/** The `/health` answer, computed once per change. */
export interface HealthSnapshot {
  readonly health: HealthStatus;
  readonly statusCode: 200 | 503;
  /** The seed's wire format, serialized, without absolute paths. */
  readonly body: string;
}

/**
 * Keeps the `/health` answer until the loader reports a change (`stateChange`, `loadEnd`), so a
 * probe costs a lookup instead of a report, a path scrub and a serialization. `maxAgeInMs` bounds
 * the staleness should a change ever come without an event.
 */
export function createHealthCache(
  loader: ModelRegistry,
  modelDirs: readonly string[],
  maxAgeInMs = 1000,
) {
  let snapshot: HealthSnapshot | undefined;
  let takenAt = 0;
  const invalidate = () => {
    snapshot = undefined;
  };
  const unsubscribe = [loader.on('stateChange', invalidate), loader.on('loadEnd', invalidate)];
  return {
    get(): HealthSnapshot {
      const now = performance.now();
      if (!snapshot || now - takenAt > maxAgeInMs) {
        const health = loader.getHealthStatus();
        const serving = health.status === 'healthy' || health.status === 'degraded';
        snapshot = {
          health,
          statusCode: serving ? 200 : 503,
          body: JSON.stringify(scrubDeep(toHealthWire(health), modelDirs)),
        };
        takenAt = now;
      }
      return snapshot;
    },
    close(): void {
      for (const stop of unsubscribe) stop();
    },
  };
}

/** The cache's type. */
export type HealthCache = ReturnType<typeof createHealthCache>;
