import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployDir } from './manifests.js';

// biome-ignore lint/suspicious/noExplicitAny: compose and Prometheus files are free-form YAML, checked field by field
type Yaml = any;

async function readYaml(file: string): Promise<Yaml> {
  return parse(await readFile(join(deployDir, file), 'utf8'), { merge: true });
}

/** `${NAME:-default}` as compose resolves it with NAME unset. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

/** Seconds of a compose duration such as `35s` or `1m30s`. */
function seconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!match || duration === '') throw new Error(`not a duration: ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** Each app's own configuration, read the way its server reads it, and its route table. */
const apps = {
  'llm-server': async (env: Record<string, string>, cwd: string) => {
    const { buildApp, loadLlmServerConfig, DEFAULT_PORT } = await import(
      '@model-loader/llm-server'
    );
    const config = await loadLlmServerConfig({ env, cwd });
    return { defaultPort: DEFAULT_PORT, config, app: await buildApp(config, { logger: false }) };
  },
  'asr-ocr-server': async (env: Record<string, string>, cwd: string) => {
    const { buildApp, loadAsrOcrConfig, DEFAULT_PORT } = await import(
      '@model-loader/asr-ocr-server'
    );
    const config = await loadAsrOcrConfig({ env, cwd });
    return { defaultPort: DEFAULT_PORT, config, app: await buildApp(config, { logger: false }) };
  },
} as const;
type AppName = keyof typeof apps;
const appNames = Object.keys(apps) as AppName[];

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('deploy/compose.yaml', () => {
  it('starts the two servers and Prometheus', async () => {
    const compose = await readYaml('compose.yaml');
    expect(Object.keys(compose.services).sort()).toEqual([...appNames, 'prometheus'].sort());
    expect(compose.services.prometheus.depends_on.sort()).toEqual([...appNames].sort());
  });

  it.each(appNames)(
    '%s: built from the app Dockerfile, models read-only at /models, port and healthcheck match the app',
    async (name) => {
      const compose = await readYaml('compose.yaml');
      const service = compose.services[name];
      const context = resolve(deployDir, service.build.context);
      expect(context).toBe(resolve(deployDir, '..'));
      await access(join(context, service.build.dockerfile));
      expect(service.build.dockerfile).toBe('deploy/docker/app.Dockerfile');
      expect(service.build.args.APP).toBe(name);

      const port = service.environment.PORT;
      expect(service.build.args.PORT).toBe(port);
      expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable syntax
      expect(service.volumes).toEqual(['${MODELS_DIR:-./models}:/models:ro']);
      expect(withDefaults(service.environment.MODELS_FILE)).toMatch(/^\/models\/[^/]+\.yaml$/);
      // The image has no curl: the check is Node's fetch, on the port the app listens on.
      expect(service.healthcheck.test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
      const url = /fetch\('([^']+)'\)/.exec(service.healthcheck.test[3])?.[1];
      expect(url).toBe(`http://127.0.0.1:${port}/health/live`);
      expect(service.healthcheck).toMatchObject({ interval: '15s', timeout: '3s', retries: 3 });
      // Longer than the servers' default drain (SHUTDOWN_GRACE_MS 30 s), or docker kills them.
      expect(seconds(service.stop_grace_period)).toBeGreaterThan(30);

      // The app itself, configured by the same environment (demo models in a temporary folder).
      const root = await mkdtemp(join(tmpdir(), `compose-${name}-`));
      dirs.push(root);
      const { app, config, defaultPort } = await apps[name](
        { DEMO: '1', PORT: port, HOST: '0.0.0.0', MODEL_DIR: join(root, 'models') },
        root,
      );
      try {
        await app.ready();
        expect(config.port).toBe(Number(port));
        expect(Number(port)).toBe(defaultPort);
        expect(app.hasRoute({ method: 'GET', url: '/health/live' })).toBe(true);
        expect((await app.inject('/health/live')).statusCode).toBe(200);
      } finally {
        await app.close();
      }
    },
  );
});

describe('deploy/prometheus.yml', () => {
  it('is the file compose mounts into Prometheus', async () => {
    const compose = await readYaml('compose.yaml');
    expect(compose.services.prometheus.volumes).toContain(
      './prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
    expect(compose.services.prometheus.command).toContain(
      '--config.file=/etc/prometheus/prometheus.yml',
    );
  });

  it.each(appNames)(
    'scrapes %s on its compose service name and port, on a path that serves Prometheus text',
    async (name) => {
      const compose = await readYaml('compose.yaml');
      const prometheus = await readYaml('prometheus.yml');
      const jobs = prometheus.scrape_configs.filter((job: Yaml) => job.job_name === name);
      expect(jobs).toHaveLength(1);
      const [job] = jobs;
      const port = compose.services[name].environment.PORT;
      expect(job.static_configs).toEqual([{ targets: [`${name}:${port}`] }]);

      const root = await mkdtemp(join(tmpdir(), `prometheus-${name}-`));
      dirs.push(root);
      const { app } = await apps[name](
        { DEMO: '1', PORT: port, MODEL_DIR: join(root, 'models') },
        root,
      );
      try {
        const response = await app.inject(job.metrics_path);
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
        expect(response.body).toMatch(/^# HELP model_loader_/m);
      } finally {
        await app.close();
      }
    },
  );
});
