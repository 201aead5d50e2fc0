import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateSync } from 'node:zlib';
import { createTinyWhisperFiles, encodeWav, writeTinyGguf } from '@model-loader/fixtures';
import { describe, expect, it } from 'vitest';
import { useCliSandbox } from './test-support/cli-sandbox.js';

const execFileAsync = promisify(execFile);
const sandbox = useCliSandbox();
const { cli, system, freshDir } = sandbox;

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
      (await readFile(join(sandbox.root, 'inspect', 'tiny.gguf'))).subarray(0, 100),
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
