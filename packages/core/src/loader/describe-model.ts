import { relative } from 'node:path';
import type { ModelHealthInput } from '../health/health-status.js';
import { remoteProcessInfo } from '../isolation/create-remote-handle.js';
import type { ModelInfo } from '../model-info.js';
import type { RegisteredModel } from './registered-model.js';

/** Details of one model for people and `/models`. */
export function describeModel(model: RegisteredModel, modelDir: string): ModelInfo {
  const { registration, validated, current, lastError } = model;
  return {
    name: model.name,
    state: model.state,
    required: registration.required,
    path: registration.specPath,
    format: model.adapter.format ?? 'unknown',
    kind: model.adapter.kind,
    ...(validated ? { sizeInBytes: validated.sizeInBytes } : {}),
    files: (validated?.files ?? []).map((file) => {
      const checksum = model.verified.get(file.relativePath);
      return {
        path: relative(modelDir, file.path),
        sizeInBytes: file.sizeInBytes,
        format: file.format,
        ...(checksum ? { checksum } : {}),
      };
    }),
    verified:
      validated !== undefined &&
      validated.files.length > 0 &&
      validated.files.every((file) => model.verified.has(file.relativePath)),
    ...(model.inspection ? { inspection: model.inspection } : {}),
    ...(model.memoryEstimate === undefined ? {} : { memoryEstimateInBytes: model.memoryEstimate }),
    ...(current
      ? { loadTimeInMs: current.loadTimeInMs, loadedAt: current.loadedAt.toISOString() }
      : {}),
    ...processInfo(model),
    attempts: model.lastAttempts,
    maxAttempts: registration.attempts,
    reloading: model.reloading,
    activeLeases: current?.leaseCount ?? 0,
    load: registration.load,
    ...(Number.isFinite(registration.keepAliveInMs)
      ? { keepAliveInMs: registration.keepAliveInMs }
      : {}),
    ...(current?.expiresAt === undefined
      ? {}
      : { expiresAt: new Date(current.expiresAt).toISOString() }),
    evictable: registration.evictable,
    ...(current ? { residentBytes: current.reservation.sizeInBytes } : {}),
    ...(lastError ? { lastError: { code: lastError.code, message: lastError.message } } : {}),
  };
}

/** What the health rules need about one model. */
export function healthInput(model: RegisteredModel): ModelHealthInput {
  return {
    name: model.name,
    required: model.registration.required,
    state: model.state,
    settledOnce: model.settledOnce,
    ...(model.lastError
      ? { error: { code: model.lastError.code, message: model.lastError.message } }
      : {}),
    ...(model.current ? { loadTimeInMs: model.current.loadTimeInMs } : {}),
  };
}

function processInfo(
  model: RegisteredModel,
): Pick<ModelInfo, 'isolation' | 'restarts' | 'lastExit' | 'process'> {
  const running = remoteProcessInfo(model.current?.model);
  return {
    isolation: model.registration.isolation,
    restarts: model.restarts.total,
    ...(model.lastExit ? { lastExit: model.lastExit } : {}),
    ...(running ? { process: { pid: running.pid, rssInBytes: running.rssInBytes } } : {}),
  };
}
