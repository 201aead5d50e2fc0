import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoaderError } from '@model-loader/core';
import { createTinyWhisperFiles, encodeOnnxModel, OnnxGraphBuilder } from '@model-loader/fixtures';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inspectOnnxFile } from './onnx-preflight.js';
import { formatValueInfo } from './onnx-signature.js';
import { useTempDir } from './test-support/temp-dir.js';

const tempDir = useTempDir('onnx-preflight-');
const signal = new AbortController().signal;

/** y = x + w, with w stored as external data at `location` (optionally inside an If branch). */
function modelWithExternalWeight(
  location: string,
  options: { length?: number; inBranch?: boolean } = {},
) {
  const g = new OnnxGraphBuilder('external');
  const x = g.input('x', 'float', [4]);
  const weight = {
    name: 'w',
    dims: [4],
    data: new Float32Array(4),
    externalData: { location, offset: 0, length: options.length ?? 16 },
  };
  if (options.inBranch) {
    const branch = new OnnxGraphBuilder('branch', 'b/');
    branch.graph.initializers.push(weight);
    branch.op('Add', [x, 'w'], {}, 'branch_y');
    branch.output('branch_y', 'float', [4]);
    const cond = g.input('cond', 'bool', [1]);
    g.op(
      'If',
      [cond],
      { then_branch: { graph: branch.graph }, else_branch: { graph: branch.graph } },
      'y',
    );
  } else {
    g.graph.initializers.push(weight);
    g.op('Add', [x, 'w'], {}, 'y');
  }
  g.output('y', 'float', [4]);
  return encodeOnnxModel(g.graph);
}

async function folderWith(model: Uint8Array, files: Record<string, Uint8Array> = {}) {
  const root = await tempDir();
  await mkdir(join(root, 'onnx'));
  await writeFile(join(root, 'onnx/model.onnx'), model);
  for (const [path, bytes] of Object.entries(files)) await writeFile(join(root, path), bytes);
  return root;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return ModelLoaderError.isInstance(error) ? error.code : `uncoded: ${String(error)}`;
  }
}

const inspect = (root: string) =>
  inspectOnnxFile(join(root, 'onnx/model.onnx'), root, 'onnx/model.onnx', signal);

describe('inspectOnnxFile', () => {
  it('summarises the tiny Whisper decoder', async () => {
    const decoder = createTinyWhisperFiles().get('onnx/decoder_model_merged.onnx')!;
    const summary = await inspect(await folderWith(decoder));
    expect(summary.irVersion).toBe(8);
    expect(summary.nodeCount).toBeGreaterThan(50);
    expect(summary.externalDataFiles).toEqual([]);
  });

  it('reads the opset imports and the signature of the tiny Whisper encoder', async () => {
    const encoder = createTinyWhisperFiles().get('onnx/encoder_model.onnx')!;
    const summary = await inspect(await folderWith(encoder));
    expect(summary.opsetImports).toEqual([{ domain: 'ai.onnx', version: 17 }]);
    expect(summary.inputs.map(formatValueInfo)).toEqual([
      'input_features: float32[batch_size, 80, feature_size]',
    ]);
    expect(summary.outputs.map(formatValueInfo)).toEqual([
      'last_hidden_state: float32[batch_size, encoder_sequence_length, 64]',
    ]);
  });

  it('leaves out inputs that an initializer feeds (weights listed as inputs before IR 4)', async () => {
    const g = new OnnxGraphBuilder('old-style');
    const x = g.input('x', 'int64', [2]);
    g.input('w', 'int64', [2]);
    g.graph.initializers.push({ name: 'w', dims: [2], data: new BigInt64Array(2) });
    g.op('Add', [x, 'w'], {}, 'y');
    g.output('y', 'int64', [2]);
    const summary = await inspect(await folderWith(encodeOnnxModel(g.graph)));
    expect(summary.inputs).toEqual([{ name: 'x', elementType: 'int64', shape: [2] }]);
    expect(summary.outputs).toEqual([{ name: 'y', elementType: 'int64', shape: [2] }]);
  });

  it('rejects a protobuf without a graph and a truncated model as MODEL_FILE_CORRUPT', async () => {
    await expect(inspect(await folderWith(Uint8Array.of(0x08, 0x08)))).rejects.toThrow(
      'Model file onnx/model.onnx is not an ONNX model: the ModelProto has no graph',
    );
    const encoder = createTinyWhisperFiles().get('onnx/encoder_model.onnx')!;
    const truncated = await folderWith(encoder.subarray(0, encoder.length - 100));
    expect(await codeOf(inspect(truncated))).toBe('MODEL_FILE_CORRUPT');
  });

  it('accepts external data inside the folder and lists it', async () => {
    const root = await folderWith(modelWithExternalWeight('weights.bin'), {
      'onnx/weights.bin': new Uint8Array(16),
    });
    expect((await inspect(root)).externalDataFiles).toEqual(['onnx/weights.bin']);
  });

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a Windows absolute path', 'C:\\Windows\\win.ini'],
    ['.. out of the folder', '../../outside.bin'],
    ['.. with backslashes', '..\\..\\outside.bin'],
  ])('rejects external data at %s as MODEL_PATH_OUTSIDE_ROOT', async (_what, location) => {
    const root = await folderWith(modelWithExternalWeight(location));
    const error = await inspect(root).catch((e: unknown) => e);
    expect(ModelLoaderError.hasCode(error, 'MODEL_PATH_OUTSIDE_ROOT')).toBe(true);
    expect((error as Error).message).toContain(location);
  });

  it('rejects a symlink that leads out of the folder, also inside an If branch', async () => {
    const outside = await tempDir();
    await writeFile(join(outside, 'secret.bin'), new Uint8Array(16));
    for (const inBranch of [false, true]) {
      const root = await folderWith(modelWithExternalWeight('link.bin', { inBranch }));
      await symlink(join(outside, 'secret.bin'), join(root, 'onnx/link.bin'));
      await expect(inspect(root)).rejects.toThrow(/a symlink leads out of it/);
    }
  });

  it('rejects missing external data and a range past its end', async () => {
    expect(await codeOf(inspect(await folderWith(modelWithExternalWeight('gone.bin'))))).toBe(
      'MODEL_FILE_NOT_FOUND',
    );
    const short = await folderWith(modelWithExternalWeight('w.bin', { length: 64 }), {
      'onnx/w.bin': new Uint8Array(16),
    });
    await expect(inspect(short)).rejects.toThrow(
      'references bytes 0..64 of onnx/w.bin, which has 16 bytes',
    );
  });

  it('gives only coded errors for any corruption of a valid model', async () => {
    const valid = modelWithExternalWeight('w.bin');
    const root = await folderWith(valid, { 'onnx/w.bin': new Uint8Array(16) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(valid.length),
        async (edits, cut) => {
          const broken = valid.slice(0, Math.max(1, cut));
          for (const [at, value] of edits) if (at < broken.length) broken[at] = value;
          await writeFile(join(root, 'onnx/model.onnx'), broken);
          const code = await codeOf(inspect(root));
          expect(code).not.toMatch(/^uncoded/);
        },
      ),
      { numRuns: 150 },
    );
  });
});
