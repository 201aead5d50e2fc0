import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './test-support/test-server.js';

const serverScript = fileURLToPath(new URL('../dist/server.js', import.meta.url));

describe('the start command (node dist/server.js)', () => {
  it('prepares the demo models, listens, turns healthy and exits 0 on SIGTERM', async () => {
    const modelDir = await tempDir();
    const child = spawn(process.execPath, [serverScript], {
      cwd: await tempDir(),
      env: { ...process.env, DEMO: '1', PORT: '0', MODEL_DIR: modelDir, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const match =
          /"msg":"ASR\/OCR server \(demo models\) listening on (http:\/\/127\.0\.0\.1:\d+)"/.exec(
            output,
          );
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });
    let health: { status?: string } = {};
    for (let attempt = 0; attempt < 100 && health.status !== 'healthy'; attempt++) {
      health = (await (await fetch(`${address}/health`)).json()) as { status?: string };
      if (health.status !== 'healthy') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health).toMatchObject({
      status: 'healthy',
      models_loaded: { whisper: true, ocr: true },
    });
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 60_000);
});
