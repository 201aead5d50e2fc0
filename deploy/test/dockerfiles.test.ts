import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployDir } from './manifests.js';

/** The instructions of the last stage of a Dockerfile, continuation lines joined. */
async function finalStage(file: string): Promise<string[]> {
  const text = await readFile(join(deployDir, 'docker', file), 'utf8');
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const lastFrom = lines.findLastIndex((line) => line.startsWith('FROM '));
  return lines.slice(lastFrom);
}

describe('Dockerfiles', () => {
  it.each(['app.Dockerfile', 'cli.Dockerfile'])(
    '%s: the image runs as the non-root node user',
    async (file) => {
      const stage = await finalStage(file);
      expect(stage.filter((line) => line.startsWith('USER '))).toEqual(['USER node']);
      const userIndex = stage.indexOf('USER node');
      const runAfterUser = stage.slice(userIndex).some((line) => line.startsWith('RUN '));
      expect(runAfterUser).toBe(false);
    },
  );

  it('app image: binds 0.0.0.0, keeps models on a volume, and checks /health/live', async () => {
    const stage = await finalStage('app.Dockerfile');
    const env = stage.find((line) => line.startsWith('ENV '));
    expect(env).toContain('HOST=0.0.0.0');
    expect(env).toContain('MODEL_DIR=/models');
    expect(stage).toContain('VOLUME ["/models"]');
    const healthcheck = stage.find((line) => line.startsWith('HEALTHCHECK '));
    expect(healthcheck).toContain('/health/live');
  });

  it('builds deploy only the one app with production dependencies, from the lock file', async () => {
    const text = await readFile(join(deployDir, 'docker', 'app.Dockerfile'), 'utf8');
    expect(text).toContain('pnpm install --frozen-lockfile');
    expect(text).toMatch(/pnpm --filter=@model-loader\/\$\{APP\} deploy --prod/);
    expect(text).toMatch(/turbo run build --filter=@model-loader\/\$\{APP\}\.\.\./);
  });
});
