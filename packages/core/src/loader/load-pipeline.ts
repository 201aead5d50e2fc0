import { ModelLoaderError } from '../errors/model-loader-error.js';
import {
  type FileFingerprint,
  readFileFingerprint,
  sameFingerprint,
} from '../integrity/file-fingerprint.js';
import { remoteProcessInfo } from '../isolation/create-remote-handle.js';
import { runWithTimeout } from '../lifecycle/run-with-timeout.js';
import { retryWithBackoff } from '../retry/retry-with-backoff.js';
import type { LoadContext } from '../spec/load-context.js';
import { validateModel } from '../validation/validate-model-file.js';
import { LoadedCopy } from './loaded-copy.js';
import { abortedError, toLoaderError } from './loader-errors.js';
import type { LoaderRuntime } from './loader-runtime.js';
import type { RegisteredModel } from './registered-model.js';
import { verifyModelChecksums } from './verify-model-checksums.js';

/**
 * Loads a copy of the model within a load slot: validate the files, inspect, verify checksums,
 * estimate and reserve memory, then load with retries and a time limit. A reload keeps the old
 * copy serving (and the state `loaded`) until the new one is ready, then retires the old one.
 * @returns the new copy's model
 * @throws ModelLoaderError with a stable code; the model's state and last error say the same
 */
export async function loadCopy(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  reload: boolean,
): Promise<unknown> {
  const { logger } = runtime.settings;
  const controller = new AbortController();
  model.loadController = controller;
  model.reloading = reload;
  const started = performance.now();
  let attempts = 0;
  runtime.emit('loadStart', { name: model.name, reload });
  if (!reload) model.setState('validating');
  try {
    const copy = await runtime.limiter(() =>
      prepareAndLoad(runtime, model, reload, controller.signal, started, (attempt) => {
        attempts = attempt;
      }),
    );
    const previous = model.current;
    model.current = copy;
    model.lastError = undefined;
    model.lastAttempts = attempts;
    model.settledOnce = true;
    // Also after a reload: keep-alive may have made the model idle while the new copy loaded.
    model.setState('loaded');
    runtime.serving(model, copy);
    if (previous) void runtime.retire(model, previous);
    logger.info(
      { model: model.name, durationInMs: Math.round(copy.loadTimeInMs), attempts, reload },
      reload ? 'model reloaded' : 'model loaded',
    );
    runtime.emit('loadEnd', {
      name: model.name,
      reload,
      ok: true,
      durationInMs: copy.loadTimeInMs,
      attempts,
    });
    return copy.model;
  } catch (thrown) {
    const error = recordFailure(model, controller.signal, thrown);
    model.lastAttempts = attempts;
    if (!reload) model.setState('failed');
    logger.error(
      { model: model.name, code: error.code, attempts, reload },
      `${reload ? 'model reload' : 'model load'} failed: ${error.message}`,
    );
    runtime.emit('loadEnd', {
      name: model.name,
      reload,
      ok: false,
      durationInMs: performance.now() - started,
      attempts,
      error,
    });
    throw error;
  } finally {
    model.reloading = false;
    if (model.loadController === controller) model.loadController = undefined;
  }
}

async function prepareAndLoad(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  reload: boolean,
  signal: AbortSignal,
  started: number,
  onAttempt: (attempt: number) => void,
): Promise<LoadedCopy> {
  const { settings } = runtime;
  const { registration } = model;
  const estimate = await checkModel(runtime, model, signal);
  const reservation = await runtime.reserve(model, estimate, signal);
  if (!reload) model.setState('loading');
  try {
    const handle = await retryWithBackoff(
      (attempt) => {
        onAttempt(attempt);
        return attemptLoad(runtime, model, model.validated!.path, attempt, signal);
      },
      {
        attempts: registration.attempts,
        backoff: settings.backoff,
        signal,
        shouldRetry: (error) => ModelLoaderError.isInstance(error) && error.isRetryable,
        onAttemptFailed: ({ attempt, error, nextDelayInMs }) => {
          const coded = toLoaderError(error, model.name);
          settings.logger.warn(
            { model: model.name, attempt, code: coded.code, nextDelayInMs },
            `model load attempt failed: ${coded.message}`,
          );
          runtime.emit('attemptFailed', { name: model.name, attempt, error: coded, nextDelayInMs });
        },
      },
    );
    reservation.settle();
    // A model process's resident memory is its real size: later budget decisions use it.
    const measured = remoteProcessInfo(handle)?.rssInBytes;
    if (measured !== undefined) reservation.resize(measured);
    return new LoadedCopy(handle, reservation, performance.now() - started);
  } catch (error) {
    reservation.release();
    throw error;
  }
}

/**
 * Validates the files, inspects, verifies checksums and estimates memory, recording each result
 * on the model; returns the estimate in bytes.
 */
async function checkModel(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  signal: AbortSignal,
): Promise<number> {
  const { registration } = model;
  signal.throwIfAborted();
  const validated = await validateModel(model.validationTarget(runtime.settings.modelDir));
  model.validated = validated;
  const fingerprints = await Promise.all(
    validated.files.map((file) => readFileFingerprint(file.path)),
  );
  // An on-demand model checked at start and untouched since keeps its preflight and estimate: the
  // first request does not parse the header again. Checksums are always verified (the fingerprint
  // cache answers unchanged files; strict mode hashes).
  const unchanged =
    model.memoryEstimate !== undefined && sameFiles(model.checkedFingerprints, fingerprints);
  model.checkedFingerprints = undefined;
  const inspection = unchanged
    ? model.inspection
    : await model.adapter.inspect?.(validated.path, signal);
  if (inspection) model.inspection = inspection;
  await verifyModelChecksums(runtime, model, validated, signal);
  const estimate = unchanged
    ? (model.memoryEstimate ?? 0)
    : ((await model.adapter.estimateMemory?.(validated.path, registration.options, inspection)) ??
      registration.memoryEstimateInBytes ??
      0);
  model.memoryEstimate = estimate;
  model.checkedFingerprints = fingerprints;
  return estimate;
}

/** The fingerprint cache's identity rule (device, inode, size, mtime, ctime), file by file. */
function sameFiles(
  before: readonly FileFingerprint[] | undefined,
  now: readonly FileFingerprint[],
): boolean {
  return (
    before !== undefined &&
    before.length === now.length &&
    before.every((fingerprint, index) => sameFingerprint(fingerprint, now[index]!))
  );
}

/**
 * Checks an on-demand model without loading it (files, checksums, memory estimate) within a load
 * slot; it goes `idle`, or `failed` with the coded error.
 * @throws ModelLoaderError what the check found
 */
export async function checkOnDemandModel(
  runtime: LoaderRuntime,
  model: RegisteredModel,
): Promise<void> {
  const controller = new AbortController();
  model.loadController = controller;
  model.setState('validating');
  try {
    await runtime.limiter(() => checkModel(runtime, model, controller.signal));
    model.lastError = undefined;
    model.settledOnce = true;
    model.setState('idle');
    runtime.settings.logger.info({ model: model.name }, 'model checked; it loads on first use');
  } catch (thrown) {
    const error = recordFailure(model, controller.signal, thrown);
    model.setState('failed');
    runtime.settings.logger.error(
      { model: model.name, code: error.code },
      `model check failed: ${error.message}`,
    );
    throw error;
  } finally {
    if (model.loadController === controller) model.loadController = undefined;
  }
}

/** The coded error of a failed load or check, recorded as the model's last error. */
function recordFailure(
  model: RegisteredModel,
  signal: AbortSignal,
  thrown: unknown,
): ModelLoaderError {
  const error = signal.aborted
    ? abortedError(model.name, thrown)
    : toLoaderError(thrown, model.name);
  model.lastError = error;
  model.settledOnce = true;
  return error;
}

/** One attempt of the adapter's `load`, aborted after `loadTimeoutInMs`. */
function attemptLoad(
  runtime: LoaderRuntime,
  model: RegisteredModel,
  path: string,
  attempt: number,
  signal: AbortSignal,
): Promise<unknown> {
  const { registration } = model;
  const { logger } = runtime.settings;
  let loaded: { handle: unknown } | undefined;
  return runWithTimeout(
    async (attemptSignal) => {
      const context: LoadContext = {
        onModelFailed: (error) => {
          if (loaded) runtime.onCopyFailed(model, loaded.handle, error);
        },
        modelName: model.name,
        signal: attemptSignal,
        attempt,
        logger,
        onProgress: (progress) => runtime.emit('progress', { name: model.name, ...progress }),
      };
      try {
        const handle = await model.adapter.load(path, registration.options, context);
        loaded = { handle };
        return handle;
      } catch (error) {
        throw toLoaderError(error, model.name);
      }
    },
    {
      modelName: model.name,
      signal,
      ...(registration.loadTimeoutInMs === undefined
        ? {}
        : { loadTimeoutInMs: registration.loadTimeoutInMs }),
      onLateResult: (handle) => {
        logger.warn(
          { model: model.name },
          'a load finished after its timeout; disposing that copy',
        );
        void runtime.dispose(model, handle);
      },
    },
  );
}
