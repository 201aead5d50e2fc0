import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { overwriteGgufInPlace, writeTinyGguf } from '@model-loader/fixtures';
import { describe, expect, it } from 'vitest';
import { inspectGgufFile } from './preflight/inspect-gguf-file.js';
import { useTempDir } from './test-support/temp-files.js';

const temp = useTempDir();
const shape = { embeddingLength: 256, feedForwardLength: 512, layerCount: 2 };

/** Runs the child on `path`; `onReady` runs once it has generated; resolves with how it ended. */
function runChild(
  path: string,
  onReady: (send: () => void) => Promise<void>,
): Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'test-support/generate-twice-child.mjs'), path],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    const lines: string[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line === 'ready') {
          onReady(() => child.stdin.write('go\n')).catch(reject);
        }
        if (line === 'generated') child.stdin.end();
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, signal, code }));
  });
}

describe('a native crash no preflight can see (for process isolation tests)', () => {
  it('generates again while the file is unchanged', async () => {
    const path = join(temp.dir(), 'unchanged.gguf');
    await writeTinyGguf(path, shape);
    const outcome = await runChild(path, async (send) => send());
    expect(outcome).toEqual({ lines: ['ready', 'generated'], signal: null, code: 0 });
  });

  it('dies with SIGBUS when the loaded file is overwritten in place by a shorter one', async () => {
    const path = join(temp.dir(), 'overwritten.gguf');
    await writeTinyGguf(path, shape);
    await inspectGgufFile(path);
    const outcome = await runChild(path, async (send) => {
      await overwriteGgufInPlace(path);
      // The new file is itself valid: only the mapping of the old one is gone.
      await inspectGgufFile(path);
      send();
    });
    expect(outcome).toEqual({ lines: ['ready'], signal: 'SIGBUS', code: null });
  });
});
