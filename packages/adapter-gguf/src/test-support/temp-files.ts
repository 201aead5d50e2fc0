import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A temporary folder for the test file, removed after its tests; `write` puts bytes in it. */
export function useTempDir(): {
  dir: () => string;
  write: (name: string, bytes: Uint8Array) => Promise<string>;
} {
  let dir: string | undefined;
  const ready = mkdtemp(join(tmpdir(), 'adapter-gguf-')).then((created) => {
    dir = created;
    return created;
  });
  // `dir()` is synchronous: the folder must exist before the first test of the file runs.
  beforeAll(async () => {
    await ready;
  });
  afterAll(async () => {
    await rm(await ready, { recursive: true, force: true });
  });
  return {
    dir: () => {
      if (!dir) throw new Error('temp dir not ready: use it inside a test or a hook');
      return dir;
    },
    write: async (name, bytes) => {
      const path = join(await ready, name);
      await writeFile(path, bytes);
      return path;
    },
  };
}
