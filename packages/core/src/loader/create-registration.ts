import { adapterFromFunction } from '../adapter-kit/function-adapter.js';
import { normalizeChecksums } from '../checksum/normalize-checksums.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import { isolateAdapter } from '../isolation/isolate-adapter.js';
import type { IsolationMode } from '../isolation/model-process-entry.js';
import { parseKeepAliveInMs } from '../models-file/keep-alive.js';
import { isModelAdapter, type ModelAdapter } from '../spec/model-adapter.js';
import type { ModelSpec } from '../spec/model-spec.js';
import { checkIsolation, type LoaderSettings } from './loader-settings.js';
import type { ModelRegistration } from './registered-model.js';

type AnySpec = ModelSpec<string, unknown, unknown, IsolationMode>;

/**
 * Checks a model spec (for JavaScript callers too) and wraps its adapter for process isolation.
 * @throws ModelLoaderError CONFIG_INVALID, CHECKSUM_INVALID
 */
export function createRegistration(spec: AnySpec, settings: LoaderSettings): ModelRegistration {
  const name = spec?.name;
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ModelLoaderError('CONFIG_INVALID', '`name` must be a non-empty string');
  }
  const invalid = (field: string, rule: string) =>
    new ModelLoaderError('CONFIG_INVALID', `Model '${name}': \`${field}\` must be ${rule}`, {
      modelName: name,
    });
  if (typeof spec.path !== 'string' || spec.path === '') {
    throw invalid('path', 'a non-empty string');
  }
  const inProcess = toAdapter(spec.adapter);
  if (!inProcess) throw invalid('adapter', 'an adapter object with `load` or a function');
  const isolation = checkIsolation(
    spec.isolation ?? settings.isolation,
    `Model '${name}': \`isolation\``,
  );
  const adapter =
    isolation === 'process'
      ? isolateAdapter(inProcess, {
          ...settings.processes,
          modelName: name,
          logger: settings.logger,
        })
      : inProcess;
  const attempts = spec.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1) throw invalid('attempts', 'an integer >= 1');
  const timeout = spec.loadTimeoutInMs;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw invalid('loadTimeoutInMs', 'a finite number > 0');
  }
  const estimate = spec.memoryEstimateInBytes;
  if (estimate !== undefined && !(Number.isFinite(estimate) && estimate >= 0)) {
    throw invalid('memoryEstimateInBytes', 'a finite number >= 0');
  }
  const load = spec.load ?? 'startup';
  if (load !== 'startup' && load !== 'on-demand') {
    throw invalid('load', "'startup' or 'on-demand'");
  }
  if (spec.evictable !== undefined && typeof spec.evictable !== 'boolean') {
    throw invalid('evictable', 'a boolean');
  }
  return {
    name,
    specPath: spec.path,
    adapter,
    required: spec.required ?? true,
    checksums: normalizeChecksums(spec.checksum, adapter.kind, name),
    allowUnpinned: spec.allowUnpinned ?? false,
    attempts,
    ...(timeout === undefined ? {} : { loadTimeoutInMs: timeout }),
    options: spec.options ?? {},
    ...(estimate === undefined ? {} : { memoryEstimateInBytes: estimate }),
    isolation,
    load,
    keepAliveInMs: parseKeepAliveInMs(spec.keepAlive, name),
    // Startup models keep today's behaviour (they stay) unless marked evictable.
    evictable: spec.evictable ?? load === 'on-demand',
  };
}

function toAdapter(
  adapter: AnySpec['adapter'] | undefined,
): ModelAdapter<unknown, unknown> | undefined {
  if (typeof adapter === 'function') return adapterFromFunction(adapter);
  if (
    adapter &&
    isModelAdapter(adapter) &&
    (adapter.kind === 'file' || adapter.kind === 'directory')
  )
    return adapter;
  return undefined;
}
