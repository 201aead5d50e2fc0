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
    '%s: the image runs as uid 1000 (numeric, so runAsNonRoot can check it) and cannot change its app',
    async (file) => {
      const stage = await finalStage(file);
      expect(stage.filter((line) => line.startsWith('USER '))).toEqual(['USER 1000:1000']);
      expect(stage.filter((line) => line.startsWith('COPY '))).toEqual([
        'COPY --from=build /out ./',
      ]);
      const userIndex = stage.indexOf('USER 1000:1000');
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
    expect(text).toContain('pnpm install --offline --frozen-lockfile');
    expect(text).toMatch(/pnpm --filter=@model-loader\/\$\{APP\} deploy --prod/);
    expect(text).toMatch(/turbo run build --filter=@model-loader\/\$\{APP\}\.\.\./);
  });

  it.each(['app.Dockerfile', 'cli.Dockerfile'])(
    '%s: needs nothing but the base image, the npm registry and Debian',
    async (file) => {
      const text = await readFile(join(deployDir, 'docker', file), 'utf8');
      // No `# syntax=` line: it makes BuildKit pull a frontend image from Docker Hub.
      expect(text).not.toMatch(/^#\s*syntax=/m);
      const froms = text.match(/^FROM .*$/gm) ?? [];
      for (const from of froms)
        expect(from).toMatch(/^FROM \$\{(NODE_IMAGE|RUNTIME_IMAGE)\} AS \w+$/);
      expect(text).not.toMatch(/\b(curl|wget|git clone)\b|^ADD /m);
      // The install reads the lock file, whose every package resolves by integrity from the registry.
      const lock = await readFile(join(deployDir, '..', 'pnpm-lock.yaml'), 'utf8');
      const resolutions = lock.match(/resolution: \{[^}]*\}/g) ?? [];
      expect(resolutions.length).toBeGreaterThan(100);
      for (const resolution of resolutions)
        expect(resolution).toMatch(/^resolution: \{integrity: /);
    },
  );

  it('the CPU image keeps no GPU build by default, the GPU variant is a build argument', async () => {
    const text = await readFile(join(deployDir, 'docker', 'app.Dockerfile'), 'utf8');
    expect(text.match(/^ARG LLM_GPU=false$/gm)).toHaveLength(2);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own variable syntax
    expect(text).toContain('sh deploy/docker/prune-deploy.sh /out ${LLM_GPU}');
    expect(text).toMatch(/^ENV .*LLM_GPU=\$\{LLM_GPU\}/m);
  });
});
