import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelLoaderEvents } from '../events/model-loader-events.js';
import type { ModelRegistry } from '../model-registry.js';
import { ggufHeaderBytes, useTempDirs } from './temp-dir.js';

/** A backoff short enough for tests. */
export const fastBackoff = { initialDelayInMs: 5, backoffFactor: 2 };

/**
 * Temporary model folders removed after each test: `makeDir` makes an empty one, `modelDirWith`
 * one holding a GGUF header file for each name.
 */
export function useModelDirs(): {
  makeDir: () => Promise<string>;
  modelDirWith: (...names: string[]) => Promise<string>;
} {
  const makeDir = useTempDirs();
  async function modelDirWith(...names: string[]): Promise<string> {
    const dir = await makeDir();
    await Promise.all(names.map((name) => writeFile(join(dir, name), ggufHeaderBytes())));
    return dir;
  }
  return { makeDir, modelDirWith };
}

/** Collects every payload of `event` the loader emits from now on. */
export function record<K extends keyof ModelLoaderEvents>(
  loader: ModelRegistry,
  event: K,
): ModelLoaderEvents[K][] {
  const seen: ModelLoaderEvents[K][] = [];
  loader.on(event, (payload) => seen.push(payload));
  return seen;
}
