import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashFile, readLockFile } from '@model-loader/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDemoModels } from './demo-models.js';
import { loadLlmServerConfig } from './llm-server-config.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-server-config-'));
  dirs.push(dir);
  return dir;
}

describe('loadLlmServerConfig', () => {
  it('generates the demo models, their lock file and checksums on first start with DEMO=1', async () => {
    const cwd = await tempDir();
    const config = await loadLlmServerConfig({ cwd, env: { DEMO: '1' } });
    expect(config).toMatchObject({
      demo: true,
      host: '127.0.0.1',
      port: 8080,
      modelDir: join(cwd, 'models'),
      modelsFile: join(cwd, 'models', 'models.yaml'),
      validateChecksums: true,
      rateLimit: { max: 600, timeWindowInMs: 60_000 },
      gguf: { gpu: 'auto', threadCount: Math.max(1, availableParallelism() - 1) },
    });
    expect(config.models.map((model) => [model.name, model.required])).toEqual([
      ['summariser', true],
      ['bns_check', false],
    ]);
    const lock = await readLockFile(join(cwd, 'models', 'model-loader.lock.json'));
    expect(lock.files.map((file) => [file.model, file.path])).toEqual([
      ['bns_check', 'bns_check.gguf'],
      ['summariser', 'summariser.gguf'],
    ]);
    for (const file of lock.files) {
      const digest = await hashFile(join(cwd, 'models', file.path), 'sha256');
      expect(file.digest).toBe(digest);
      const model = config.models.find((entry) => entry.name === file.model);
      expect(model?.checksum).toBe(`sha256:${digest}`);
    }
    // A second start finds everything in place.
    expect((await ensureDemoModels(join(cwd, 'models'))).generated).toEqual([]);
  });

  it('serves a models.yaml of the working directory, and reads the environment', async () => {
    const cwd = await tempDir();
    await writeFile(
      join(cwd, 'models.yaml'),
      'models:\n  - { name: chat, adapter: gguf, path: qwen.gguf, options: { contextSize: 4096 } }\n',
    );
    const config = await loadLlmServerConfig({
      cwd,
      env: { PORT: '9000', LLM_GPU: 'false', LLM_THREADS: '2' },
    });
    expect(config).toMatchObject({ demo: false, port: 9000, gguf: { gpu: false, threadCount: 2 } });
    expect(config.rateLimit).toBeUndefined();
    expect(config.models.map((model) => model.name)).toEqual(['chat']);
    await expect(readFile(join(cwd, 'models', 'models.yaml'))).rejects.toThrow(/ENOENT/);
  });

  it('says CONFIG_INVALID with the fix when the demo models cannot be written', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'not-a-folder'), '');
    const error = await loadLlmServerConfig({
      cwd,
      env: { DEMO: '1', MODEL_DIR: 'not-a-folder/models' },
    }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /^DEMO=1, but the demo models cannot be written into .*\(ENOTDIR\)\. Make MODEL_DIR a writable folder for the demo models, or set MODELS_FILE to your own models file and unset DEMO\.$/,
      ),
    });
    expect((error as Error).message).toContain(join(cwd, 'not-a-folder', 'models'));
  });

  it('never serves the demo unasked: models.yml is served, no models file is CONFIG_INVALID', async () => {
    const cwd = await tempDir();
    await expect(loadLlmServerConfig({ cwd, env: {} })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
    await expect(readFile(join(cwd, 'models', 'models.yaml'))).rejects.toThrow(/ENOENT/);
    await writeFile(
      join(cwd, 'models.yml'),
      'models:\n  - { name: chat, adapter: gguf, path: qwen.gguf }\n',
    );
    const config = await loadLlmServerConfig({ cwd, env: {} });
    expect(config).toMatchObject({ demo: false, modelsFile: join(cwd, 'models.yml') });
    expect(config.models.map((model) => model.name)).toEqual(['chat']);
    await expect(
      loadLlmServerConfig({ cwd, env: { DEMO: '1', MODELS_FILE: 'models.yml' } }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/both set/) });
    await expect(loadLlmServerConfig({ cwd, env: { DEMO: 'yes' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('`DEMO`: must be 1 or true'),
    });
  });

  it('names the wrong variable', async () => {
    const cwd = await tempDir();
    await expect(
      loadLlmServerConfig({ cwd, env: { LLM_THREADS: 'many', LLM_GPU: 'rocm' } }),
    ).rejects.toThrow(
      /^Invalid environment variables:\n- `LLM_GPU`: .*\n- `LLM_THREADS`: .*\nFix or unset them and start again\.$/,
    );
    await expect(loadLlmServerConfig({ cwd, env: { MODELS_FILE: 'none.yaml' } })).rejects.toThrow(
      'Models file not found: none.yaml. Create it, or set MODELS_FILE to its path.',
    );
  });
});
