import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baseDeployment, readManifest } from './manifests.js';

/** How each app reads its configuration and builds its route table. */
const apps = {
  'asr-ocr-server': async (env: Record<string, string>) => {
    const { buildApp, loadAsrOcrConfig } = await import('@model-loader/asr-ocr-server');
    const config = await loadAsrOcrConfig({ env });
    return { port: config.port, host: config.host, app: await buildApp(config, { logger: false }) };
  },
  'llm-server': async (env: Record<string, string>) => {
    const { buildApp, loadLlmServerConfig } = await import('@model-loader/llm-server');
    const config = await loadLlmServerConfig({ env });
    return { port: config.port, host: config.host, app: await buildApp(config, { logger: false }) };
  },
} as const;

const dirs: string[] = [];
afterEach(() =>
  Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))),
);

describe.each(Object.keys(apps) as (keyof typeof apps)[])(
  '%s manifests against the app',
  (name) => {
    it('the ConfigMap is a valid config of the app, and every probe path is a route of it on the configured port', async () => {
      const root = await mkdtemp(join(tmpdir(), `deploy-${name}-`));
      dirs.push(root);
      await Promise.all(['models', 'config', 'cache'].map((dir) => mkdir(join(root, dir))));
      const [configMap] = await readManifest(`kubernetes/base/${name}/configmap.yaml`);
      for (const [file, text] of Object.entries(configMap?.data as Record<string, string>)) {
        await writeFile(join(root, 'config', file), text);
      }
      const container = (await baseDeployment(name)).spec.template.spec.containers[0];
      const env: Record<string, string> = {};
      for (const variable of container.env as { name: string; value?: string }[]) {
        if (variable.value !== undefined)
          env[variable.name] = variable.value.replace(
            /^\/(config|models|cache)(?=\/|$)/,
            `${root}/$1`,
          );
      }
      const { app, port, host } = await apps[name](env);
      try {
        await app.ready();
        expect(port).toBe(container.ports[0].containerPort);
        expect(host).toBe('0.0.0.0');
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
          const url = container[probe].httpGet.path;
          expect(app.hasRoute({ method: 'GET', url }), `${probe} ${url}`).toBe(true);
        }
        // Before any model loads: live answers 200, ready 503 (the probes' contract).
        expect((await app.inject('/health/live')).statusCode).toBe(200);
        expect((await app.inject('/health/ready')).statusCode).toBe(503);
      } finally {
        await app.close();
      }
    });
  },
);
