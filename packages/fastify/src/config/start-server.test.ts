import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { demoModelsNotWritable } from './demo-models-not-writable.js';
import { startServer } from './start-server.js';

describe('startServer', () => {
  it('a port in use says CONFIG_INVALID and that PORT sets the port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const app = Fastify();
    try {
      await expect(
        startServer(app, { host: '127.0.0.1', port, shutdownGraceInMs: 1000 }),
      ).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: `Cannot listen on 127.0.0.1:${port}: the port is in use by another process (EADDRINUSE). Set PORT to a free port, or stop the other process.`,
      });
    } finally {
      await app.close();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('demoModelsNotWritable', () => {
  it('names the file that could not be written, the folder and the fix', async () => {
    const dir = join(tmpdir(), `demo-not-writable-${process.pid}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'file'), '');
    // Writing below a regular file fails with ENOTDIR, as a read-only /models fails with EACCES.
    const cause = await writeFile(join(dir, 'file', 'summariser.gguf'), 'x').catch(
      (error: unknown) => error,
    );
    expect(demoModelsNotWritable(join(dir, 'file'), cause)).toMatchObject({
      code: 'CONFIG_INVALID',
      message: `DEMO=1, but the demo models cannot be written into ${join(dir, 'file')}: writing ${join(dir, 'file', 'summariser.gguf')} failed (ENOTDIR). Make MODEL_DIR a writable folder for the demo models, or set MODELS_FILE to your own models file and unset DEMO.`,
    });
    const other = new TypeError('not the file system');
    expect(demoModelsNotWritable(dir, other)).toBe(other);
  });
});
