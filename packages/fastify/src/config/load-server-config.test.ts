import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ModelAdapter, ModelLoader } from '@model-loader/core';
import { describe, expect, it, vi } from 'vitest';
import { createModelDir, createTestLoader, ggufBytes } from '../test-support/test-app.js';
import { createModelLoaderFromConfig } from './create-model-loader.js';
import { loadServerConfig } from './load-server-config.js';

const adapterNames = ['gguf', 'whisper', 'ocr'];

async function writeModelsFile(name: string, content: string) {
  const modelDir = await createModelDir({ 'tiny.gguf': ggufBytes() });
  const root = dirname(modelDir);
  await writeFile(join(root, name), content);
  return root;
}

describe('loadServerConfig', () => {
  it('reads a YAML models file and the environment, with defaults', async () => {
    const cwd = await writeModelsFile(
      'models.yaml',
      [
        'modelDir: ./models',
        'loadConcurrency: 2',
        'models:',
        '  - name: tiny',
        '    adapter: gguf',
        '    path: tiny.gguf',
        '    attempts: 3',
        '    options: { contextSize: 256 }',
        '    limits: { concurrency: 2 }',
        '  - name: speech',
        '    adapter: whisper',
        '    path: whisper',
        '    required: false',
      ].join('\n'),
    );
    const config = await loadServerConfig({ adapterNames, cwd, env: { PORT: '8080', HOST: '' } });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      bodyLimitInBytes: 1_048_576,
      shutdownGraceInMs: 30_000,
      modelDir: join(cwd, 'models'),
      modelsFile: join(cwd, 'models.yaml'),
      loadConcurrency: 2,
      limits: {
        concurrency: 1,
        maxQueue: 16,
        timeoutInMs: 60_000,
        models: { tiny: { concurrency: 2 } },
      },
    });
    expect(config.adminToken).toBeUndefined();
    expect(config.models.map((model) => [model.name, model.adapter])).toEqual([
      ['tiny', 'gguf'],
      ['speech', 'whisper'],
    ]);
  });

  it('reads JSON and lets the environment override the file', async () => {
    const cwd = await writeModelsFile(
      'models.json',
      JSON.stringify({
        modelDir: 'elsewhere',
        validateChecksums: true,
        models: [{ name: 'tiny', adapter: 'gguf', path: 'tiny.gguf' }],
      }),
    );
    const config = await loadServerConfig({
      adapterNames,
      cwd,
      env: {
        MODELS_FILE: 'models.json',
        MODEL_DIR: 'models',
        HOST: '0.0.0.0',
        ADMIN_TOKEN: 'x'.repeat(20),
        LOG_LEVEL: 'warn',
        VALIDATE_CHECKSUMS: 'false',
        CHECKSUM_CACHE_DIR: 'false',
        LOCK_FILE: 'models.lock',
        MODEL_QUEUE_SIZE: '4',
        UNRELATED: 'ignored',
      },
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      adminToken: 'x'.repeat(20),
      logLevel: 'warn',
      modelDir: join(cwd, 'models'),
      validateChecksums: false,
      checksumCacheDirectory: false,
      lockFile: 'models.lock',
      limits: { maxQueue: 4 },
    });
  });

  it('stops with a message naming each bad field and its fix', async () => {
    const cwd = await writeModelsFile(
      'models.yaml',
      [
        'models:',
        '  - name: tiny',
        '    adapter: ggml',
        '    path: tiny.gguf',
        '  - name: ../evil',
        '    adapter: gguf',
        '    path: x.gguf',
        '    atempts: 2',
        '  - name: tiny',
        '    adapter: ocr',
        '    path: ocr',
      ].join('\n'),
    );
    await expect(loadServerConfig({ adapterNames, cwd, env: {} })).rejects.toThrow(
      [
        'Invalid models file models.yaml:',
        '- `models[0].adapter`: unknown adapter "ggml"; use one of: gguf, whisper, ocr',
        '- `models[1].name`: must start with a letter or digit and use only letters, digits, ".", "_" and "-" (at most 128)',
        '- `models[1]`: Unrecognized key: "atempts"',
        '- `models[2].name`: duplicate model name "tiny"; give each model a unique name',
      ].join('\n'),
    );
  });

  it('names duplicate models, bad YAML, a missing file and bad variables', async () => {
    const duplicate = await writeModelsFile(
      'models.yaml',
      'models:\n  - { name: a, adapter: gguf, path: a.gguf }\n  - { name: a, adapter: gguf, path: b.gguf }\n',
    );
    await expect(loadServerConfig({ adapterNames, cwd: duplicate, env: {} })).rejects.toThrow(
      '- `models[1].name`: duplicate model name "a"; give each model a unique name',
    );
    const broken = await writeModelsFile('models.yaml', 'models:\n  - name: [unclosed\n');
    await expect(loadServerConfig({ adapterNames, cwd: broken, env: {} })).rejects.toThrow(
      /^The models file models\.yaml is not valid YAML: .*at line 3, column 1/s,
    );
    await expect(
      loadServerConfig({ adapterNames, cwd: broken, env: { MODELS_FILE: 'nope.yaml' } }),
    ).rejects.toThrow(
      'Models file not found: nope.yaml. Create it, or set MODELS_FILE to its path.',
    );
    await expect(
      loadServerConfig({
        adapterNames,
        cwd: broken,
        env: { PORT: 'eighty', ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud' },
      }),
    ).rejects.toThrow(
      /^Invalid environment variables:\n- `PORT`: .*\n- `ADMIN_TOKEN`: must be at least 16 characters\n- `LOG_LEVEL`: .*"info".*\nFix or unset them and start again\.$/,
    );
  });
});

describe('createModelLoaderFromConfig', () => {
  it('registers each model with the adapter it names', async () => {
    const cwd = await writeModelsFile(
      'models.yaml',
      'models:\n  - { name: tiny, adapter: gguf, path: tiny.gguf, options: { threads: 1 } }\n',
    );
    // A test adapter without `processEntry`: in the server's process.
    const config = await loadServerConfig({ adapterNames, cwd, env: { MODEL_ISOLATION: 'none' } });
    const test = createTestLoader();
    const seen: unknown[] = [];
    const gguf: ModelAdapter<unknown, { threads: number }> = {
      kind: 'file',
      format: 'gguf',
      load: (path, options, context) => {
        seen.push(options);
        return test.load(path, options, context);
      },
    };
    const loader = createModelLoaderFromConfig(config, {
      gguf,
      whisper: test.load,
      ocr: test.load,
    });
    await loader.loadAll();
    expect(loader.getModelInfo('tiny')).toMatchObject({ state: 'loaded', format: 'gguf' });
    expect(seen).toEqual([{ threads: 1 }]);
  });

  it('names the entry when the core refuses it', async () => {
    const cwd = await writeModelsFile(
      'models.yaml',
      'models:\n  - { name: tiny, adapter: gguf, path: tiny.gguf, checksum: "sha256:abc" }\n',
    );
    const config = await loadServerConfig({ adapterNames, cwd, env: { MODEL_ISOLATION: 'none' } });
    const test = createTestLoader();
    expect(() =>
      createModelLoaderFromConfig(config, { gguf: test.load, whisper: test.load, ocr: test.load }),
    ).toThrow(
      "`models[0]` (tiny) in the models file: Invalid checksum for model 'tiny': a sha256 digest has 64 hex digits, got 3",
    );
  });

  it('defaults to process isolation; the file sets it at the top and per model, the environment overrides', async () => {
    const cwd = await writeModelsFile(
      'models.yaml',
      'processes: { maxRestarts: 5, restartWindowInMs: 1000 }\nmodels:\n  - { name: a, adapter: gguf, path: a.gguf }\n  - { name: b, adapter: gguf, path: b.gguf, isolation: none }\n',
    );
    const config = await loadServerConfig({ adapterNames, cwd, env: {} });
    expect(config.isolation).toBe('process');
    expect(config.processes).toEqual({ maxRestarts: 5, restartWindowInMs: 1000 });
    expect(config.models.map((entry) => entry.isolation)).toEqual([undefined, 'none']);
    const test = createTestLoader();
    // `a` would need a process, and the plain test loader has no `processEntry`.
    expect(() =>
      createModelLoaderFromConfig(config, { gguf: test.load, whisper: test.load, ocr: test.load }),
    ).toThrow(/`models\[0\]` \(a\) in the models file: .*no `processEntry`/);
    const none = await loadServerConfig({ adapterNames, cwd, env: { MODEL_ISOLATION: 'none' } });
    expect(none.isolation).toBe('none');
    await expect(
      loadServerConfig({
        adapterNames,
        cwd: await writeModelsFile(
          'models.yaml',
          'models:\n  - { name: a, adapter: gguf, path: a.gguf, isolation: thread }\n',
        ),
        env: {},
      }),
    ).rejects.toThrow(/`models\.0\.isolation`|models\[0\]\.isolation/);
  });
});

describe('finding the models file', () => {
  it('finds models.yml and models.json as well as models.yaml, with load and keepAlive parsed', async () => {
    const yml = await writeModelsFile(
      'models.yml',
      'modelDir: ./models\nmodels:\n  - { name: tiny, adapter: gguf, path: tiny.gguf, load: on-demand, keepAlive: 30s }\n',
    );
    const fromYml = await loadServerConfig({ adapterNames, cwd: yml, env: {} });
    expect(fromYml.modelsFile).toBe(join(yml, 'models.yml'));
    expect(fromYml.models).toEqual([
      { name: 'tiny', adapter: 'gguf', path: 'tiny.gguf', load: 'on-demand', keepAlive: 30_000 },
    ]);
    const json = await writeModelsFile(
      'models.json',
      JSON.stringify({
        models: [{ name: 'tiny', adapter: 'gguf', path: 'tiny.gguf', keepAlive: 'forever' }],
      }),
    );
    const fromJson = await loadServerConfig({ adapterNames, cwd: json, env: {} });
    expect(fromJson.modelsFile).toBe(join(json, 'models.json'));
    expect(fromJson.models[0]!.keepAlive).toBe(Number.POSITIVE_INFINITY);
  });

  it('says CONFIG_INVALID, naming the names it looked for, when there is none', async () => {
    const empty = dirname(await createModelDir({ 'tiny.gguf': ggufBytes() }));
    await writeFile(join(empty, 'my-models.yaml'), 'models: []\n');
    await expect(loadServerConfig({ adapterNames, cwd: empty, env: {} })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message:
        'No models file: MODELS_FILE is not set and the working directory has none of models.yaml, models.yml, models.json. Create one, set MODELS_FILE to its path, or start the demo models with DEMO=1.',
    });
    await expect(
      loadServerConfig({ adapterNames, cwd: empty, env: { MODELS_FILE: 'nope.yaml' } }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('registers the entry fields as the ModelSpec: load and keepAlive reach the loader', async () => {
    const cwd = await writeModelsFile(
      'models.yaml',
      'modelDir: ./models\nmodels:\n  - { name: tiny, adapter: gguf, path: tiny.gguf, attempts: 2, isolation: none, load: on-demand, keepAlive: 5m, limits: { concurrency: 2 } }\n',
    );
    const config = await loadServerConfig({ adapterNames, cwd, env: {} });
    const test = createTestLoader();
    const register = vi.spyOn(ModelLoader.prototype, 'register');
    try {
      const loader = createModelLoaderFromConfig(config, { gguf: test.load });
      expect(loader.getModelInfo('tiny')).toMatchObject({ name: 'tiny', required: true });
      expect(register).toHaveBeenCalledTimes(1);
      const spec = register.mock.calls[0]![0];
      expect({ ...spec, adapter: typeof spec.adapter }).toEqual({
        name: 'tiny',
        adapter: 'object',
        path: 'tiny.gguf',
        attempts: 2,
        isolation: 'none',
        load: 'on-demand',
        keepAlive: 300_000,
      });
    } finally {
      register.mockRestore();
    }
  });
});
