import { type HealthStatus, type ModelRegistry, toHealthWire } from '@model-loader/core';
import { scrubDeep } from '../errors/scrub-paths.js';
import { watchMissingFiles } from './missing-files.js';

/** The `/health` answer, computed once per change. */
export interface HealthSnapshot {
  /** The engine's report, with failed reloads and vanished files folded into status and message. */
  readonly health: HealthStatus;
  readonly statusCode: 200 | 503;
  /** The seed's wire format plus `reload_errors` and `missing_files`, serialized, without absolute paths. */
  readonly body: string;
}

/** Settings of {@link createHealthCache}. */
export interface HealthCacheOptions {
  /** Longest a snapshot is kept should a change come without an event. @default 1000 */
  readonly maxAgeInMs?: number;
  /** How often the files of loaded models are checked for existence; 0 for never. @default 5000 */
  readonly fileCheckIntervalInMs?: number;
}

/**
 * Keeps the `/health` answer until the loader reports a change (`stateChange`, `loadEnd`) or the
 * file watch sees a file vanish or come back, so a probe costs a lookup instead of a report, a path
 * scrub and a serialization. Besides the seed's fields it shows models still serving an old copy
 * after a failed reload (`reload_errors`) and loaded models whose files vanished (`missing_files`);
 * either turns `healthy` into `degraded` (still 200: the model serves, but a restart would not
 * bring it back).
 */
export function createHealthCache(
  loader: ModelRegistry,
  modelDirs: readonly string[],
  options: HealthCacheOptions = {},
) {
  const maxAgeInMs = options.maxAgeInMs ?? 1000;
  let snapshot: HealthSnapshot | undefined;
  let takenAt = 0;
  const invalidate = () => {
    snapshot = undefined;
  };
  const unsubscribe = [loader.on('stateChange', invalidate), loader.on('loadEnd', invalidate)];
  const missingFiles = watchMissingFiles(loader, options.fileCheckIntervalInMs ?? 5000, invalidate);

  const build = (): HealthSnapshot => {
    const base = loader.getHealthStatus();
    const reloadErrors: Record<string, string> = {};
    for (const name of loader.modelNames) {
      const info = loader.getModelInfo(name);
      if (info.state === 'loaded' && info.lastError) {
        reloadErrors[name] = `${info.lastError.code}: ${info.lastError.message}`;
      }
    }
    const missing = Object.fromEntries(missingFiles.current);
    const notes = [
      ...(Object.keys(reloadErrors).length > 0
        ? [`reload failed, previous copy serving: ${Object.keys(reloadErrors).join(', ')}`]
        : []),
      ...(Object.keys(missing).length > 0
        ? [`model files missing: ${Object.keys(missing).join(', ')}`]
        : []),
    ];
    const health: HealthStatus =
      notes.length === 0
        ? base
        : {
            ...base,
            status: base.status === 'healthy' ? 'degraded' : base.status,
            message: `${base.status === 'healthy' ? 'All models loaded' : base.message}; ${notes.join('; ')}`,
          };
    const serving = health.status === 'healthy' || health.status === 'degraded';
    const wire = {
      ...toHealthWire(health),
      reload_errors: reloadErrors,
      missing_files: missing,
    };
    return {
      health,
      statusCode: serving ? 200 : 503,
      body: JSON.stringify(scrubDeep(wire, modelDirs)),
    };
  };

  return {
    get(): HealthSnapshot {
      const now = performance.now();
      if (!snapshot || now - takenAt > maxAgeInMs) {
        snapshot = build();
        takenAt = now;
      }
      return snapshot;
    },
    /** Checks the model files now (tests, and a caller that knows a file changed). */
    checkFiles: () => missingFiles.check(),
    close(): void {
      for (const stop of unsubscribe) stop();
      missingFiles.close();
    },
  };
}

/** The cache's type. */
export type HealthCache = ReturnType<typeof createHealthCache>;
