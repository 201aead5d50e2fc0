import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelRegistry } from '@model-loader/core';

/** Watches the files of loaded models: a model whose file vanished still serves, until a restart. */
export interface MissingFiles {
  /** Model name -> files (relative to the model directory) that no longer exist. */
  readonly current: ReadonlyMap<string, readonly string[]>;
  /** Checks now; resolves once done. */
  check(): Promise<void>;
  close(): void;
}

/**
 * Stats every file of every loaded model each `intervalInMs` (and after each load) and calls
 * `onChange` when the set of missing files changes. Stat only: no read, no hash.
 */
export function watchMissingFiles(
  loader: ModelRegistry,
  intervalInMs: number,
  onChange: () => void,
): MissingFiles {
  let current = new Map<string, readonly string[]>();
  let running: Promise<void> | undefined;
  const gone = async (path: string) =>
    stat(join(loader.modelDir, path)).then(
      () => false,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT' || error.code === 'ENOTDIR',
    );
  const run = async () => {
    const next = new Map<string, readonly string[]>();
    for (const name of loader.modelNames) {
      const info = loader.getModelInfo(name);
      if (info.state !== 'loaded') continue;
      const missing: string[] = [];
      for (const file of info.files) if (await gone(file.path)) missing.push(file.path);
      if (missing.length > 0) next.set(name, missing);
    }
    const changed = JSON.stringify([...next]) !== JSON.stringify([...current]);
    current = next;
    if (changed) onChange();
  };
  const check = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = intervalInMs > 0 ? setInterval(() => void check(), intervalInMs) : undefined;
  timer?.unref();
  const unsubscribe = loader.on('loadEnd', () => void check());
  return {
    get current() {
      return current;
    },
    check,
    close() {
      if (timer) clearInterval(timer);
      unsubscribe();
    },
  };
}
