import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Returns a function that creates a temporary folder (mode 755, so an unprivileged child process can
 * enter it); every folder is removed after each test.
 */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'model-loader-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    return dir;
  };
}

/** Bytes that sniff as GGUF v3 (header only). */
export function ggufHeaderBytes(extra = 24): Buffer {
  const bytes = Buffer.alloc(8 + extra);
  bytes.write('GGUF', 0, 'latin1');
  bytes.writeUInt32LE(3, 4);
  return bytes;
}
