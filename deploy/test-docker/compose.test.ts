import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { docker, dockerUnavailable, repoRoot, runCommand } from './docker.js';

const unavailable = await dockerUnavailable();

/** Compose v2 (`docker compose`) where installed, else Debian's docker-compose 1.29. */
async function composeCommand(): Promise<readonly string[] | undefined> {
  if ((await docker(['compose', 'version'])).code === 0) return ['docker', 'compose'];
  if ((await runCommand('docker-compose', ['version'])).code === 0) return ['docker-compose'];
  return undefined;
}

describe.skipIf(unavailable !== undefined)('deploy/compose.yaml with Docker Compose', () => {
  it('is valid for `compose config`, with both servers, their healthchecks and Prometheus', async () => {
    const command = await composeCommand();
    expect(
      command,
      'neither `docker compose` nor `docker-compose` runs: install one (Debian: apt-get install docker-compose)',
    ).toBeDefined();
    const [program = 'docker', ...prefix] = command ?? [];
    const file = join(repoRoot, 'deploy', 'compose.yaml');
    const result = await runCommand(program, [...prefix, '-f', file, 'config']);
    expect(result.code, result.stderr).toBe(0);
    const resolved = parse(result.stdout);
    expect(Object.keys(resolved.services).sort()).toEqual([
      'asr-ocr-server',
      'llm-server',
      'prometheus',
    ]);
    for (const [name, port] of [
      ['llm-server', 8080],
      ['asr-ocr-server', 8081],
    ] as const) {
      const service = resolved.services[name];
      expect(service.healthcheck.test.join(' ')).toContain(`127.0.0.1:${port}/health/live`);
      expect(service.volumes.map(String).join(' ')).toMatch(/:\/models(:ro|.*read_only)/);
      expect(service.environment.MODELS_FILE).toMatch(/^\/models\//);
      expect(service.build.args).toMatchObject({ APP: name, PORT: String(port) });
    }
    expect(String(resolved.services.prometheus.volumes)).toContain('prometheus.yml');
  });
});
