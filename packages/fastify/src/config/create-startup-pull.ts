import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  createChecksumVerifier,
  type LockFile,
  type Logger,
  type ModelRegistry,
  type PullFileResult,
  planPull,
  pullFiles,
  readLockFile,
} from '@model-loader/core';
import type { ModelPullStatus, StartupPull } from '../startup-pull.js';
import type { ServerConfig } from './load-server-config.js';

/** Options of {@link createStartupPull}. */
export interface CreateStartupPullOptions {
  readonly logger?: Logger;
  /** Files downloaded at once. @default 4 */
  readonly concurrency?: number;
}

type MutableStatus = { -readonly [K in keyof ModelPullStatus]: ModelPullStatus[K] };

/**
 * The pull a server runs at start when the models file says `pullOnStart: true` (or
 * PULL_ON_START=true): every file of a model with a `source` that is missing or does not match its
 * pin is downloaded into `modelDir` and verified before it is renamed into place. Pins come from the
 * model's `checksum` or the lock file; a source without a pin fails that model (PULL_NOT_PINNED):
 * a server never trusts unpinned bytes. Undefined when there is nothing to pull.
 */
export function createStartupPull(
  config: Pick<
    ServerConfig,
    | 'pullOnStart'
    | 'models'
    | 'modelDir'
    | 'lockFile'
    | 'sourceEnvironment'
    | 'checksumCacheDirectory'
    | 'strictChecksums'
  >,
  loader: Pick<ModelRegistry, 'getModelInfo'>,
  options: CreateStartupPullOptions = {},
): StartupPull | undefined {
  if (!config.pullOnStart) return undefined;
  const withSource = config.models.filter((entry) => entry.source !== undefined);
  if (withSource.length === 0) return undefined;
  const statuses = new Map<string, MutableStatus>(
    withSource.map((entry) => [
      entry.name,
      { state: 'pending', files: 0, filesDone: 0, bytesDone: 0 },
    ]),
  );
  const fail = (name: string, error: { code?: string; message?: string }) => {
    const status = statuses.get(name);
    if (!status) return;
    status.state = 'failed';
    status.error ??= { code: error.code ?? 'PULL_NETWORK_ERROR', message: error.message ?? '' };
  };
  return {
    status: (name) => {
      const status = statuses.get(name);
      return status ? { ...status } : undefined;
    },
    async run(signal) {
      try {
        await pullAll(signal);
      } catch (error) {
        for (const [name, status] of statuses) {
          if (status.state !== 'done') fail(name, error as { code?: string; message?: string });
        }
        throw error;
      }
    },
  };

  async function pullAll(signal: AbortSignal): Promise<void> {
    const lockPath =
      config.lockFile === undefined
        ? undefined
        : isAbsolute(config.lockFile)
          ? config.lockFile
          : resolve(config.modelDir, config.lockFile);
    let lock: LockFile | undefined;
    if (lockPath !== undefined && existsSync(lockPath)) lock = await readLockFile(lockPath);
    const plan = planPull(
      withSource.map((entry) => ({
        name: entry.name,
        path: entry.path,
        source: entry.source!,
        kind: loader.getModelInfo(entry.name).kind,
        ...(entry.checksum === undefined ? {} : { checksum: entry.checksum }),
      })),
      lock ? { lock } : {},
    );
    for (const problem of plan.problems) fail(problem.model, problem);
    for (const file of plan.files) {
      const status = statuses.get(file.model!);
      if (status) status.files++;
    }
    const active = new Map<string, { bytesDone: number; totalBytes?: number }>();
    const refresh = (model: string) => {
      const status = statuses.get(model);
      if (!status) return;
      const files = [...active.entries()].filter(([key]) => key.startsWith(`${model}\0`));
      status.bytesDone = files.reduce((sum, [, file]) => sum + file.bytesDone, 0);
      const totals = files.map(([, file]) => file.totalBytes);
      if (totals.every((total) => total !== undefined)) {
        status.totalBytes = totals.reduce((sum, total) => sum + total, 0);
      }
    };
    const verifier = createChecksumVerifier({
      strict: config.strictChecksums ?? false,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(config.checksumCacheDirectory === undefined
        ? {}
        : { cacheDirectory: config.checksumCacheDirectory }),
    });
    try {
      await pullFiles(plan.files, {
        modelDirectory: config.modelDir,
        verifier,
        ...(config.sourceEnvironment ? { environment: config.sourceEnvironment } : {}),
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        signal,
        onProgress: (event) => {
          const model = event.model!;
          const status = statuses.get(model);
          if (status?.state === 'pending') status.state = 'pulling';
          if (event.phase !== 'downloading') return;
          active.set(`${model}\0${event.path}`, {
            bytesDone: event.bytesDone,
            ...(event.totalBytes === undefined ? {} : { totalBytes: event.totalBytes }),
          });
          refresh(model);
        },
        onResult: (result: PullFileResult) => {
          const model = result.model!;
          const status = statuses.get(model);
          if (!status) return;
          if (result.status === 'failed') {
            fail(model, result);
            options.logger?.error(
              { model, file: result.path, code: result.code },
              `pulling ${result.path} failed: ${result.message ?? ''}`,
            );
            return;
          }
          status.filesDone++;
          if (result.status === 'downloaded') {
            options.logger?.info(
              { model, file: result.path, resumedFromBytes: result.resumedFromBytes },
              `pulled ${result.path}`,
            );
          }
          if (status.filesDone === status.files && status.state !== 'failed') {
            status.state = 'done';
          }
        },
      });
    } finally {
      await verifier.close();
    }
    for (const status of statuses.values()) {
      if (status.state === 'pending' && status.files === 0) status.state = 'done';
    }
  }
}
