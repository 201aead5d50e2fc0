import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { createTinyWhisperFiles, encodeWav, writeTinyGguf } from '@model-loader/fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCli } from './test-support/compile-cli.js';

const execFileAsync = promisify(execFile);
let bin: string;
let root: string;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `model-loader` in a child process, as a user would (optionally as `nobody`). */
async function cli(
  args: readonly string[],
  options: { cwd?: string; asNobody?: boolean; input?: string | Buffer } = {},
): Promise<Result> {
  const command = options.asNobody ? 'setpriv' : process.execPath;
  const prefix = options.asNobody
    ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin]
    : [bin];
  try {
    const running = execFileAsync(command, [...prefix, ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, XDG_CACHE_HOME: join(root, 'xdg-cache'), MODEL_LOADER_DEBUG: '' },
    });
    // Standard input is a pipe: give it the input (or nothing) and close it, as a shell pipe would.
    running.child.stdin?.end(options.input ?? '');
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

async function system(tool: string, args: readonly string[], cwd: string): Promise<Result> {
  try {
    const { stdout, stderr } = await execFileAsync(tool, args, { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

beforeAll(async () => {
  bin = await compileCli();
  root = await mkdtemp(join(tmpdir(), 'model-loader-cli-'));
  await chmod(root, 0o755);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function freshDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  return dir;
}

describe('model-loader hash', () => {
  it('prints exactly what sha256sum, sha1sum and md5sum print', async () => {
    const dir = await freshDir('hash');
    const names = ['empty', 'abc.txt', 'with space.bin', 'back\\slash', 'new\nline'];
    await writeFile(join(dir, 'empty'), '');
    await writeFile(join(dir, 'abc.txt'), 'abc');
    await writeFile(join(dir, 'with space.bin'), Buffer.alloc(5_000_000, 7));
    await writeFile(join(dir, 'back\\slash'), 'x');
    await writeFile(join(dir, 'new\nline'), 'y');
    const ours = await cli(['hash', ...names], { cwd: dir });
    expect(ours).toEqual({
      code: 0,
      stdout: (await system('sha256sum', names, dir)).stdout,
      stderr: '',
    });
    expect(ours.stdout.split('\n')[0]).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  empty',
    );
    for (const [algorithm, tool] of [
      ['sha1', 'sha1sum'],
      ['md5', 'md5sum'],
    ] as const) {
      expect((await cli(['hash', '--algorithm', algorithm, ...names], { cwd: dir })).stdout).toBe(
        (await system(tool, names, dir)).stdout,
      );
    }
  });

  it('gives a missing file, a directory and an unreadable file one line each, and exit code 1', async () => {
    const dir = await freshDir('hash-bad');
    await writeFile(join(dir, 'good'), 'good');
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'secret'), 'secret');
    await chmod(join(dir, 'secret'), 0o600);
    const result = await cli(['hash', 'good', 'missing', 'folder', 'secret'], {
      cwd: dir,
      asNobody: true,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe((await system('sha256sum', ['good'], dir)).stdout);
    expect(result.stderr).toBe(
      [
        'model-loader: MODEL_FILE_NOT_FOUND: Model file not found: missing',
        'model-loader: MODEL_FILE_NOT_REGULAR: Model path is not a regular file: folder',
        'model-loader: MODEL_FILE_NOT_READABLE: Model file is not readable (permission denied): secret',
        '',
      ].join('\n'),
    );
  });

  it('prints plain progress lines when stderr is not a terminal, none with --quiet', async () => {
    const dir = await freshDir('hash-progress');
    await writeFile(join(dir, 'big.bin'), Buffer.alloc(80 * 1024 * 1024, 1));
    const loud = await cli(['hash', 'big.bin'], { cwd: dir });
    expect(loud.stderr).toMatch(
      /^hashing big\.bin \(80\.0 MiB\)\n(hashing big\.bin: \d+% .*\n)*hashed big\.bin in \d+\.\d s\n$/,
    );
    const quiet = await cli(['hash', '-q', 'big.bin'], { cwd: dir });
    expect(quiet).toEqual({ code: 0, stdout: loud.stdout, stderr: '' });
  });

  it('hashes standard input for - and for no FILE, as sha256sum does', async () => {
    const dir = await freshDir('hash-stdin');
    const input = Buffer.concat([Buffer.from('abc'), Buffer.alloc(3_000_000, 9)]);
    await writeFile(join(dir, 'input.bin'), input);
    await writeFile(join(dir, 'other'), 'other');
    const expected = await execFileAsync('sh', ['-c', 'sha256sum - other < input.bin'], {
      cwd: dir,
    });
    expect(await cli(['hash', '-', 'other'], { cwd: dir, input })).toEqual({
      code: 0,
      stdout: expected.stdout,
      stderr: '',
    });
    const md5 = await execFileAsync('sh', ['-c', 'md5sum < input.bin'], { cwd: dir });
    expect(await cli(['hash', '-a', 'md5'], { cwd: dir, input })).toEqual({
      code: 0,
      stdout: md5.stdout,
      stderr: '',
    });
    expect((await cli(['hash'], { input: '' })).stdout).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -\n',
    );
  });

  it('refuses bad usage with exit code 2', async () => {
    expect(await cli(['hash', '-', '-'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "model-loader: hash reads standard input (-) only once\nRun 'model-loader --help' for usage.\n",
    });
    expect((await cli(['hash', '-a', 'crc32', 'x'])).stderr).toContain(
      "unknown --algorithm 'crc32'",
    );
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['hash', '--bogus', 'x'])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--help'])).stdout).toContain('Usage: model-loader <command>');
  });
});

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

describe('model-loader inspect', () => {
  it('prints format, size and the GGUF preflight', async () => {
    const dir = await freshDir('inspect');
    const file = join(dir, 'tiny.gguf');
    const size = await writeTinyGguf(file);
    const result = await cli(['inspect', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^file: +${file}\nsize: +125 KiB \\(${size} bytes\\)\nformat: +GGUF\npreflight: +ok \\(GGUF v3\\)\n`,
      ),
    );
    expect(result.stdout).toMatch(/\narchitecture: +llama\n/);
    const json = JSON.parse((await cli(['inspect', '--json', file])).stdout);
    expect(json).toMatchObject({
      file,
      sizeInBytes: size,
      format: 'gguf',
      preflight: { format: 'GGUF v3' },
    });
  });

  it('reports a corrupt GGUF and a missing file', async () => {
    const dir = await freshDir('inspect-bad');
    await writeFile(
      join(dir, 'cut.gguf'),
      (await readFile(join(root, 'inspect', 'tiny.gguf'))).subarray(0, 100),
    );
    const corrupt = await cli(['inspect', 'cut.gguf'], { cwd: dir });
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^model-loader: MODEL_FILE_CORRUPT: .+\n$/);
    expect(await cli(['inspect', 'missing'], { cwd: dir })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'model-loader: MODEL_FILE_NOT_FOUND: Model file not found: missing\n',
    });
  });

  it('says a PNG, a WAV or a YAML file is no model file, with exit code 1', async () => {
    const dir = await freshDir('inspect-not-models');
    await writeFile(join(dir, 'page.png'), onePixelPng());
    await writeFile(join(dir, 'speech.wav'), encodeWav([new Float32Array(1600)], 16_000));
    await writeFile(join(dir, 'models.yaml'), 'modelDir: ./models\nmodels:\n  - name: llm\n');
    for (const [file, kind] of [
      ['page.png', 'a PNG image'],
      ['speech.wav', 'WAV audio'],
      ['models.yaml', 'text'],
    ]) {
      expect(await cli(['inspect', file!], { cwd: dir })).toEqual({
        code: 1,
        stdout: '',
        stderr: `model-loader: MODEL_FILE_TYPE_MISMATCH: Not a model file: ${file} is ${kind}, not GGUF, ggml, ONNX, safetensors or zip/pickle\n`,
      });
    }
  });

  it('prints the ONNX preflight: opset, inputs, outputs and external data', async () => {
    const dir = await freshDir('inspect-onnx');
    await writeFile(
      join(dir, 'encoder.onnx'),
      createTinyWhisperFiles().get('onnx/encoder_model.onnx')!,
    );
    const result = await cli(['inspect', 'encoder.onnx'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout.replace(/^size: .*$/m, 'size: -')).toBe(
      [
        'file:          encoder.onnx',
        'size: -',
        'format:        ONNX',
        'preflight:     ok (ONNX IR 8)',
        'opset:         ai.onnx 17',
        'inputs:        input_features: float32[batch_size, 80, feature_size]',
        'outputs:       last_hidden_state: float32[batch_size, encoder_sequence_length, 64]',
        'nodes:         48',
        'initializers:  28',
        'external data: none',
        '',
      ].join('\n'),
    );
    const json = JSON.parse(
      (await cli(['inspect', '--json', 'encoder.onnx'], { cwd: dir })).stdout,
    );
    expect(json).toMatchObject({ format: 'onnx', preflight: { format: 'ONNX IR 8' } });
  });
});

/** A real 1x1 grey PNG (signature, IHDR, IDAT, IEND), as an image tool writes it. */
function onePixelPng(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 0x80]))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}
