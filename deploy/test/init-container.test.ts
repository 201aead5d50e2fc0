import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@model-loader/cli';
import {
  createChecksumVerifier,
  createLockFile,
  formatLockFile,
  parseLockFile,
} from '@model-loader/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { baseDeployment, readManifest } from './manifests.js';

const apps = ['llm-server', 'asr-ocr-server'];
const dirs: string[] = [];
afterEach(() =>
  Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))),
);

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      env: {},
    },
    out,
    err,
  };
}

/** The init container's args with its mount paths moved under `root`. */
async function initArgs(app: string, root: string): Promise<string[]> {
  const init = (await baseDeployment(app)).spec.template.spec.initContainers[0];
  expect(init.image).toMatch(/^model-loader\/cli:/);
  return (init.args as string[]).map((arg) =>
    arg.replace(/^\/(config|models|cache)(?=\/|$)/, `${root}/$1`),
  );
}

describe('init container: model-loader verify', () => {
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
    '%s: the ConfigMap lock file pins a file of every model in the models file',
    async (app) => {
      const [configMap] = await readManifest(`kubernetes/base/${app}/configmap.yaml`);
      const models = parse(configMap?.data['models.yaml']).models as {
        name: string;
        path: string;
      }[];
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
