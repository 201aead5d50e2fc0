import { chmod, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docker, dockerOk, dockerUnavailable, nodeImage, repoRoot } from './docker.js';

const unavailable = await dockerUnavailable();
const tag = 'model-loader/cli:test';
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** The init container's command of the Kubernetes Deployments, on a read-only root file system. */
function verify(modelDir: string) {
  return docker(
    [
      'run',
      '--rm',
      '--pull',
      'never',
      '--read-only',
      '--tmpfs',
      '/cache',
      '-v',
      `${modelDir}:/models:ro`,
      tag,
      'verify',
      '/models/model-loader.lock.json',
      '--model-dir',
      '/models',
      '--cache-dir',
      '/cache',
      '--quiet',
    ],
    120_000,
  );
}

describe.skipIf(unavailable !== undefined)('the model-loader CLI image (init container)', () => {
  it('builds, runs as uid 1000, and verifies a read-only model volume: 0, then 1 after a byte changes', async () => {
    await dockerOk(
      [
        'build',
        '--network',
        'host',
        '-f',
        join(repoRoot, 'deploy', 'docker', 'cli.Dockerfile'),
        '--build-arg',
        `NODE_IMAGE=${nodeImage}`,
        '-t',
        tag,
        repoRoot,
      ],
      30 * 60_000,
    );
    expect(await dockerOk(['image', 'inspect', '--format', '{{.Config.User}}', tag])).toBe(
      '1000:1000',
    );

    const modelDir = await mkdtemp(join(tmpdir(), 'docker-cli-models-'));
    dirs.push(modelDir);
    const { ensureDemoModels } = await import('@model-loader/llm-server');
    await ensureDemoModels(modelDir);
    await chmod(modelDir, 0o755);
    for (const name of await readdir(modelDir)) await chmod(join(modelDir, name), 0o644);

    const intact = await verify(modelDir);
    expect(intact.code, intact.stderr).toBe(0);

    const file = await open(join(modelDir, 'summariser.gguf'), 'r+');
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 4096);
    await file.write(Buffer.from([(byte[0] ?? 0) ^ 0xff]), 0, 1, 4096);
    await file.close();
    const changed = await verify(modelDir);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/CHECKSUM_MISMATCH/);
  });
});
