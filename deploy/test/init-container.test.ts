import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@model-loader/cli';
import {
  createChecksumVerifier,
  createLockFile,
  formatLockFile,
  parseLockFile,
  parseModelSource,
  planPull,
  resolveModelSource,
} from '@model-loader/core';
import { checkModelsFile, parseModelsFileText } from '@model-loader/core/models-file';
import {
  type RangeTestServer,
  startRangeTestServer,
} from '@model-loader/core/testing/range-test-server';
import { afterEach, describe, expect, it } from 'vitest';
import { baseDeployment, readManifest } from './manifests.js';

const apps = ['llm-server', 'asr-ocr-server'];
/** The adapters each app's models file may name (the keys of its adapter map). */
const adapterNames: Record<string, readonly string[]> = {
  'llm-server': ['gguf'],
  'asr-ocr-server': ['whisper', 'ocr'],
};

/** The ConfigMap's models.yaml, read and checked as the server reads it. */
function readConfigMapModels(app: string, text: string) {
  const origin = { path: 'models.yaml', shownAs: `${app} ConfigMap models.yaml` };
  return checkModelsFile(parseModelsFileText(text, origin), {
    ...origin,
    adapterNames: adapterNames[app]!,
  }).models;
}
const dirs: string[] = [];
const servers: RangeTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function captureIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      env,
    },
    out,
    err,
  };
}

/** An init container's args with its mount paths moved under `root`. */
async function initArgs(app: string, root: string, name = 'verify-models'): Promise<string[]> {
  const init = (await baseDeployment(app)).spec.template.spec.initContainers.find(
    (container: { name: string }) => container.name === name,
  );
  expect(init.image).toMatch(/^model-loader\/cli:/);
  return (init.args as string[]).map((arg) =>
    arg.replace(/^\/(config|models|cache)(?=\/|$)/, `${root}/$1`),
  );
}

describe('init containers: model-loader pull, then verify', () => {
  it.each(apps)(
    '%s: its command is a valid `model-loader` invocation: exit 0 on intact files, 1 on a flipped byte',
    async (app) => {
      const root = await mkdtemp(join(tmpdir(), 'deploy-verify-'));
      dirs.push(root);
      await Promise.all(['models', 'config', 'cache'].map((name) => mkdir(join(root, name))));
      const [configMap] = await readManifest(`kubernetes/base/${app}/configmap.yaml`);
      const placeholder = parseLockFile(configMap?.data['model-loader.lock.json']);
      // Stand-in weights at the paths the ConfigMap's lock file names.
      for (const file of placeholder.files) {
        await mkdir(join(root, 'models', file.path, '..'), { recursive: true });
        await writeFile(join(root, 'models', file.path), `weights of ${file.path}\n`);
      }
      const verifier = createChecksumVerifier({ cacheDirectory: false, strict: true });
      const lock = await createLockFile(placeholder.files, verifier, {
        modelDirectory: join(root, 'models'),
      });
      await verifier.close();
      await writeFile(join(root, 'config', 'model-loader.lock.json'), formatLockFile(lock));

      const args = await initArgs(app, root);
      const intact = captureIo();
      expect(await runCli(args, intact.io)).toBe(0);

      await writeFile(
        join(root, 'models', placeholder.files[0]!.path),
        `weights of ${placeholder.files[0]!.path}!`,
      );
      const corrupted = captureIo();
      expect(await runCli(args, corrupted.io)).toBe(1);
    },
  );

  it.each(apps)(
    '%s: `pull` fills an empty volume from the models file sources (HF_ENDPOINT), then `verify` passes',
    async (app) => {
      const root = await mkdtemp(join(tmpdir(), 'deploy-pull-'));
      dirs.push(root);
      await Promise.all(['models', 'config', 'cache'].map((name) => mkdir(join(root, name))));
      const [configMap] = await readManifest(`kubernetes/base/${app}/configmap.yaml`);
      const modelsYaml: string = configMap?.data['models.yaml'];
      await writeFile(join(root, 'config', 'models.yaml'), modelsYaml);
      const placeholder = parseLockFile(configMap?.data['model-loader.lock.json']);
      // Stand-in weights: pinned in a real lock file, served where the sources resolve to.
      const bytes = (path: string) => Buffer.from(`weights of ${path}\n`.repeat(1000));
      const lock = {
        lockfileVersion: 1 as const,
        files: placeholder.files.map((file) => {
          const content = bytes(file.path);
          return {
            ...file,
            sizeInBytes: content.length,
            digest: createHash('sha256').update(content).digest('hex'),
          };
        }),
      };
      await writeFile(join(root, 'config', 'model-loader.lock.json'), formatLockFile(lock));
      const server = await startRangeTestServer();
      servers.push(server);
      const models = readConfigMapModels(app, modelsYaml);
      const plan = planPull(models, { lock });
      expect(plan.files.length).toBeGreaterThan(0);
      for (const file of plan.files) {
        const { url } = resolveModelSource(parseModelSource(file.source), {
          huggingFaceEndpoint: server.origin,
        });
        server.route(decodeURIComponent(url.pathname), { body: bytes(file.path) });
      }
      // Models without a source are put on the volume by other means; pull only checks them.
      for (const model of plan.withoutSource) {
        for (const file of lock.files.filter(
          (entry) => entry.path.startsWith(`${model.path}/`) || entry.path === model.path,
        )) {
          await mkdir(join(root, 'models', file.path, '..'), { recursive: true });
          await writeFile(join(root, 'models', file.path), bytes(file.path));
        }
      }
      const env = { HF_ENDPOINT: server.origin };
      const pullArgs = await initArgs(app, root, 'pull-models');
      const pulled = captureIo(env);
      expect(await runCli(pullArgs, pulled.io), pulled.err.join('')).toBe(0);
      expect(server.requests).toHaveLength(plan.files.length);
      expect(server.requests.every((request) => request.status === 200)).toBe(true);
      const verified = captureIo();
      expect(await runCli(await initArgs(app, root), verified.io), verified.err.join('')).toBe(0);
      // A restarted pod finds everything in place: no download.
      expect(await runCli(pullArgs, captureIo(env).io)).toBe(0);
      expect(server.requests).toHaveLength(plan.files.length);
    },
  );

  it.each(apps)(
    '%s: the ConfigMap lock file pins a file of every model in the models file',
    async (app) => {
      const [configMap] = await readManifest(`kubernetes/base/${app}/configmap.yaml`);
      const models = readConfigMapModels(app, configMap?.data['models.yaml']);
      const lock = parseLockFile(configMap?.data['model-loader.lock.json']);
      for (const model of models) {
        const pinned = lock.files.some(
          (file) => file.path === model.path || file.path.startsWith(`${model.path}/`),
        );
        expect(pinned, model.name).toBe(true);
      }
    },
  );
});
