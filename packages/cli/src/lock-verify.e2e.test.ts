import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useCliSandbox } from './test-support/cli-sandbox.js';

const { cli, system, freshDir } = useCliSandbox('.cli-e2e-lock-verify');

describe('model-loader lock and verify', () => {
  async function project(): Promise<{ dir: string; config: string }> {
    const dir = await freshDir(`project-${Math.random().toString(36).slice(2)}`);
    await mkdir(join(dir, 'models', 'ocr'), { recursive: true });
    await writeFile(join(dir, 'models', 'llm.gguf'), 'llm weights');
    await writeFile(join(dir, 'models', 'ocr', 'det.onnx'), 'det');
    await writeFile(join(dir, 'models', 'ocr', 'rec.onnx'), 'rec');
    const config = join(dir, 'models.json');
    await writeFile(
      config,
      JSON.stringify({
        modelDir: 'models',
        models: [
          { name: 'llm', path: 'llm.gguf' },
          { name: 'ocr', path: 'ocr' },
        ],
      }),
    );
    await sleep(150); // past the fingerprint cache's racy window
    return { dir, config };
  }

  it('locks a config, then verifies it (config, lock, and sha256sum files) with exit 0', async () => {
    const { dir, config } = await project();
    const lock = await cli(['lock', config]);
    expect(lock.code).toBe(0);
    expect(lock.stdout).toContain(
      `wrote ${join(dir, 'models', 'model-loader.lock.json')} (3 files)`,
    );
    const lockFile = JSON.parse(
      await readFile(join(dir, 'models', 'model-loader.lock.json'), 'utf8'),
    );
    expect(
      lockFile.files.map((file: { path: string; model: string }) => `${file.model}:${file.path}`),
    ).toEqual(['llm:llm.gguf', 'ocr:ocr/det.onnx', 'ocr:ocr/rec.onnx']);

    const verified = await cli(['verify', config]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /^STATUS +ALGORITHM +SOURCE +FILE\nok +sha256 +(computed|cache) +llm\.gguf\n/,
    );
    expect(verified.stdout).toContain('3 files: 3 ok, 0 failed\n');

    const json = JSON.parse(
      (await cli(['verify', '--json', join(dir, 'models', 'model-loader.lock.json')])).stdout,
    );
    expect(json).toMatchObject({ ok: true, kind: 'lock', summary: { total: 3, ok: 3 } });
    expect(json.files.every((file: { source: string }) => file.source === 'cache')).toBe(true);
    const strict = JSON.parse((await cli(['verify', '--json', '--strict', config])).stdout);
    expect(strict.files.every((file: { source: string }) => file.source === 'computed')).toBe(true);

    const sums = await system('sha256sum', ['llm.gguf', 'ocr/det.onnx'], join(dir, 'models'));
    await writeFile(join(dir, 'models', 'SHA256SUMS'), sums.stdout);
    expect((await cli(['verify', '-q', join(dir, 'models', 'SHA256SUMS')])).code).toBe(0);
  });

  it('locks and verifies a server models.yaml (and models.yml) as the llm-server README says', async () => {
    const { dir } = await project();
    // A server's models file: adapters, limits, options and the scheduler fields, no modelDir
    // (the server's default, ./models).
    const yaml = [
      'models:',
      '  - name: llm',
      '    adapter: gguf',
      '    path: llm.gguf',
      '    load: on-demand',
      '    keepAlive: 5m',
      '    options: { contextSize: 256 }',
      '    limits: { concurrency: 2 }',
      '  - name: ocr',
      '    adapter: ocr',
      '    path: ocr',
      '    required: false',
      '',
    ].join('\n');
    await writeFile(join(dir, 'models.yaml'), yaml);
    const lock = await cli(['lock', 'models.yaml'], { cwd: dir });
    expect(lock.code, lock.stderr).toBe(0);
    expect(lock.stdout).toContain(
      `wrote ${join(dir, 'models', 'model-loader.lock.json')} (3 files)`,
    );
    const verified = await cli(['verify', 'models.yaml'], { cwd: dir });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('3 files: 3 ok, 0 failed\n');
    await writeFile(join(dir, 'models.yml'), yaml);
    const yml = await cli(['verify', 'models.yml'], { cwd: dir });
    expect(yml.code, yml.stderr).toBe(0);
    expect(yml.stdout).toContain('3 files: 3 ok, 0 failed\n');
    await writeFile(join(dir, 'models', 'llm.gguf'), 'LLM weights');
    expect((await cli(['verify', '-q', 'models.yaml'], { cwd: dir })).code).toBe(1);
    await writeFile(join(dir, 'bad.yaml'), yaml.replace('5m', 'soon'));
    const bad = await cli(['lock', 'bad.yaml'], { cwd: dir });
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toMatch(
      /^model-loader: CONFIG_INVALID: bad\.yaml: `models\.0\.keepAlive`: "soon" is no keep-alive; use a duration like '30s'.*\n$/,
    );
  });

  it('exits 1 with one line per mismatched or missing file', async () => {
    const { dir, config } = await project();
    expect((await cli(['lock', '-q', config])).code).toBe(0);
    await writeFile(join(dir, 'models', 'llm.gguf'), 'LLM weights');
    await unlink(join(dir, 'models', 'ocr', 'rec.onnx'));
    const result = await cli(['verify', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('3 files: 1 ok, 2 failed\n');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(
        /^model-loader: CHECKSUM_MISMATCH: llm\.gguf: Checksum mismatch! Expected: [0-9a-f]{64}, Got: [0-9a-f]{64}$/,
      ),
      'model-loader: MODEL_FILE_NOT_FOUND: Model file not found: ocr/rec.onnx',
    ]);
    const json = JSON.parse((await cli(['verify', '--json', config])).stdout);
    expect(json.summary).toEqual({
      total: 3,
      ok: 1,
      mismatch: 1,
      missing: 1,
      error: 0,
      unpinned: 0,
    });
  });

  it('fails a config model that has no checksum anywhere, and refuses to lock over a configured mismatch', async () => {
    const { config } = await project();
    const unpinned = await cli(['verify', config]);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toContain(
      "model-loader: llm.gguf: no checksum for model 'llm' in the config or a lock file (run `model-loader lock`)",
    );
    await writeFile(
      config,
      JSON.stringify({
        modelDir: 'models',
        models: [
          { name: 'llm', path: 'llm.gguf', allowUnpinned: true },
          { name: 'ocr', path: 'ocr' },
        ],
      }),
    );
    // A model the server may run unpinned is not a verify failure; the other one still is.
    const allowed = await cli(['verify', config]);
    expect(allowed.stderr).not.toContain("model 'llm'");
    expect(allowed.stderr).toContain("no checksum for model 'ocr'");
    await writeFile(
      config,
      JSON.stringify({
        modelDir: 'models',
        models: [{ name: 'llm', path: 'llm.gguf', checksum: `sha256:${'0'.repeat(64)}` }],
      }),
    );
    const lock = await cli(['lock', config]);
    expect(lock.code).toBe(1);
    expect(lock.stderr).toMatch(
      /^model-loader: CHECKSUM_MISMATCH: llm\.gguf: Checksum mismatch! Expected: 0{64}, Got: [0-9a-f]{64}\nmodel-loader: no lock file written\n$/,
    );
  });

  it('exits 2 with one line, no stack trace, for bad configs, lock files and sums files', async () => {
    const dir = await freshDir('bad-input');
    const write = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return join(dir, name);
    };
    const cases: [string[], string][] = [
      [
        ['verify', join(dir, 'nope.json')],
        `model-loader: CONFIG_INVALID: Cannot read ${join(dir, 'nope.json')}: no such file`,
      ],
      [['verify', dir], `model-loader: CONFIG_INVALID: Cannot read ${dir}: is a directory`],
      [
        ['verify', await write('broken.lock.json', '{"lockfileVersion": 1, "files": [')],
        `model-loader: CHECKSUM_FILE_INVALID: ${join(dir, 'broken.lock.json')}: not valid JSON`,
      ],
      [
        ['verify', await write('v2.lock.json', '{"lockfileVersion": 2, "files": []}')],
        `model-loader: CHECKSUM_FILE_INVALID: ${join(dir, 'v2.lock.json')}: \`lockfileVersion\` must be 1 (the only version this release reads)`,
      ],
      [
        ['verify', await write('SHA256SUMS', 'not a checksum line\n')],
        `model-loader: CHECKSUM_FILE_INVALID: ${join(dir, 'SHA256SUMS')}:1: improperly formatted checksum line (expected \`<hex digest>  <file name>\`)`,
      ],
      [
        ['lock', await write('config.json', '{"modelDir": "m", "models": [{"name": "x"}]}')],
        `model-loader: CONFIG_INVALID: ${join(dir, 'config.json')}: \`models.0.path\`: Invalid input: expected string, received undefined`,
      ],
      [
        [
          'verify',
          await write(
            'bad-sum.json',
            '{"modelDir": "m", "models": [{"name": "x", "path": "x", "checksum": "sha256:xyz"}]}',
          ),
        ],
        "model-loader: CHECKSUM_INVALID: Invalid checksum for model 'x': the sha256 digest must be hexadecimal",
      ],
    ];
    for (const [args, line] of cases) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(
        new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\n$`),
      );
      expect(result.stderr).not.toContain('    at ');
    }
  });
});
