import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModelsFile } from './find-models-file.js';
import { modelFieldsSchema } from './model-fields-schema.js';
import { readModelsFile } from './read-models-file.js';

const yaml = [
  'modelDir: ./models',
  'models:',
  '  - name: chat',
  '    adapter: gguf',
  '    path: chat.gguf',
  '    load: on-demand',
  '    keepAlive: 5m',
  '    limits: { concurrency: 2 }',
  '',
].join('\n');

describe('readModelsFile', () => {
  it('reads YAML and JSON alike, parsing keepAlive to milliseconds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'models-file-'));
    await writeFile(join(dir, 'models.yml'), yaml);
    await writeFile(
      join(dir, 'models.json'),
      JSON.stringify({ models: [{ name: 'asr', adapter: 'whisper', path: 'w', keepAlive: -1 }] }),
    );
    const fromYaml = await readModelsFile({
      path: join(dir, 'models.yml'),
      adapterNames: ['gguf'],
    });
    expect(fromYaml.models[0]).toEqual({
      name: 'chat',
      adapter: 'gguf',
      path: 'chat.gguf',
      load: 'on-demand',
      keepAlive: 300_000,
      limits: { concurrency: 2 },
    });
    const fromJson = await readModelsFile({ path: join(dir, 'models.json') });
    expect(fromJson.models[0]!.keepAlive).toBe(Number.POSITIVE_INFINITY);
  });

  it('names the file, the field and the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'models-file-bad-'));
    const path = join(dir, 'models.yaml');
    await writeFile(path, yaml.replace('5m', 'soon').replace('on-demand', 'lazy'));
    await expect(
      readModelsFile({ path, shownAs: 'models.yaml', adapterNames: ['whisper'] }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /^Invalid models file models\.yaml:\n- `models\[0\]\.adapter`: unknown adapter "gguf"; use one of: whisper\n- `models\[0\]\.load`: .*\n- `models\[0\]\.keepAlive`: "soon" is no keep-alive; use a duration like '30s'/,
      ),
    });
    await expect(
      readModelsFile({ path: join(dir, 'none.yaml'), shownAs: 'none.yaml' }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'Models file not found: none.yaml. Create it, or set MODELS_FILE to its path.',
    });
  });

  it('the shared fields are the models-file entry fields, and keepAlive defaults to nothing', () => {
    expect(modelFieldsSchema.parse({ path: 'x' })).toEqual({ path: 'x' });
  });
});

describe('findModelsFile', () => {
  it('finds models.yaml, then models.yml, then models.json, else nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'find-models-'));
    expect(await findModelsFile(dir)).toBeUndefined();
    await writeFile(join(dir, 'models.json'), '{}');
    expect(await findModelsFile(dir)).toBe(join(dir, 'models.json'));
    await writeFile(join(dir, 'models.yml'), '');
    expect(await findModelsFile(dir)).toBe(join(dir, 'models.yml'));
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'models.yaml'), '');
    expect(await findModelsFile(dir)).toBe(join(dir, 'models.yaml'));
  });
});
