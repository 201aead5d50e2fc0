import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelLoader, ModelLoaderError } from '@model-loader/core';
import { testModelAdapter } from '@model-loader/core/testing';
import {
  createNoiseSamples,
  createToneSamples,
  encodeFlac,
  encodeWav,
  writeTinyWhisperModel,
} from '@model-loader/fixtures';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWhisperAdapter } from './create-whisper-adapter.js';
import { useTempDir } from './test-support/temp-dir.js';
import type { WhisperModel } from './whisper-model.js';

const adapter = createWhisperAdapter({ threadCount: 1 });
const tone = (frequencyInHz: number, durationInSeconds = 2, sampleRate = 16_000) =>
  createToneSamples({ frequencyInHz, durationInSeconds, sampleRate });

testModelAdapter({
  name: 'whisper',
  adapter,
  createValidModel: async (dir) => {
    await writeTinyWhisperModel(join(dir, 'tiny-whisper'));
    return 'tiny-whisper';
  },
  check: async (model) => {
    const result = await model.transcribe(tone(440));
    expect(result.text.length).toBeGreaterThan(0);
  },
});

const tempDir = useTempDir();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return ModelLoaderError.isInstance(error) ? error.code : `uncoded: ${String(error)}`;
  }
}

describe('tiny Whisper through the core', () => {
  let loader: ModelLoader<{ whisper: WhisperModel }>;
  let model: WhisperModel;

  beforeAll(async () => {
    const root = await tempDir();
    await writeTinyWhisperModel(join(root, 'tiny-whisper'));
    loader = new ModelLoader({ modelDir: root }).register({
      name: 'whisper',
      path: 'tiny-whisper',
      adapter: adapter,
    });
    const results = await loader.loadAll();
    expect(results.whisper?.error).toBeUndefined();
    model = loader.get('whisper');
    return () => loader.close();
  }, 60_000);

  it('reports the folder in the model info and the health', () => {
    expect(loader.getHealthStatus().status).toBe('healthy');
    expect(loader.getModelInfo('whisper').state).toBe('loaded');
  });

  it('transcribes a tone, silence and noise, each to a different text', async () => {
    const texts = [];
    for (const audio of [tone(440), new Float32Array(32_000), createNoiseSamples(2)]) {
      const result = await model.transcribe(audio);
      expect(result.text).toMatch(/^[a-z ]+$/);
      expect(result.durationInSeconds).toBe(2);
      expect(result.language).toBe('en');
      texts.push(result.text);
    }
    expect(new Set(texts).size).toBe(3);
  });

  it('decodes WAV (stereo, 44.1 kHz) and FLAC bytes to the same text as the samples they hold', async () => {
    const left = tone(440, 2, 44_100);
    const wav = await model.transcribe(encodeWav([left, left], 44_100));
    const flac = await model.transcribe(encodeFlac([left, left], 44_100));
    expect(wav.durationInSeconds).toBeCloseTo(2, 3);
    expect(flac.text).toBe(wav.text);
    expect(wav.text.length).toBeGreaterThan(0);
  });

  it('is deterministic for the same audio', async () => {
    const first = await model.transcribe(tone(300));
    const second = await model.transcribe(tone(300));
    expect(second.text).toBe(first.text);
  });

  it('returns timestamped chunks when asked', async () => {
    const result = await model.transcribe(tone(440), { returnTimestamps: true });
    expect(result.chunks?.length).toBeGreaterThan(0);
    const [chunk] = result.chunks!;
    expect(chunk!.startInSeconds).toBe(0);
    expect(chunk!.endInSeconds).toEqual(expect.any(Number));
    expect(chunk!.text.trim().length).toBeGreaterThan(0);
    expect((await model.transcribe(tone(440))).chunks).toBeUndefined();
  });

  it('cuts long audio into windows and transcribes each', async () => {
    // 70 s of changing sound: windows at 0, 20 and 40 s (30 s long, 5 s overlap) hear different audio.
    const long = new Float32Array(70 * 16_000);
    long.set(tone(300, 25), 0);
    long.set(createNoiseSamples(20), 25 * 16_000);
    long.set(tone(900, 25), 45 * 16_000);
    const windowed = await model.transcribe(long, { chunkLengthInSeconds: 30 });
    const first = await model.transcribe(long.subarray(0, 30 * 16_000));
    expect(windowed.durationInSeconds).toBe(70);
    expect(windowed.text).not.toBe(first.text);
    expect(windowed.text.length).toBeGreaterThan(first.text.length);
  });

  it('prompts with the language and task it is given', async () => {
    const french = await model.transcribe(tone(440), { language: 'fr', task: 'translate' });
    expect(french.language).toBe('fr');
    const english = await model.transcribe(tone(440));
    expect(french.text).not.toBe(english.text);
  });

  it('refuses a language the model does not know with CONFIG_INVALID', async () => {
    await expect(model.transcribe(tone(440), { language: 'xx' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message:
        '`language` xx is not supported by this model; use a Whisper language code such as en, de, fr, zh',
    });
  });

  it('stops at once when the signal is aborted, with the signal reason', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    const pending = model.transcribe(tone(440, 60), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(pending).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('rejects empty, undecodable and too long audio with coded errors', async () => {
    expect(await codeOf(model.transcribe(new Uint8Array()))).toBe('AUDIO_INVALID');
    expect(await codeOf(model.transcribe(new Float32Array()))).toBe('AUDIO_INVALID');
    expect(await codeOf(model.transcribe(new TextEncoder().encode('not audio at all')))).toBe(
      'AUDIO_INVALID',
    );
    const wav = encodeWav([tone(440, 2)], 16_000);
    expect(await codeOf(model.transcribe(wav.subarray(0, 30)))).toBe('AUDIO_INVALID');
    expect(await codeOf(model.transcribe(Float32Array.of(0, Number.NaN)))).toBe('AUDIO_INVALID');
    expect(await codeOf(model.transcribe(tone(440), { chunkLengthInSeconds: 60 }))).toBe(
      'CONFIG_INVALID',
    );
  });
});

describe('a broken folder is rejected before transformers.js runs', () => {
  const cases: [string, (dir: string) => Promise<void>, string][] = [
    [
      'a missing decoder',
      (dir) => rm(join(dir, 'onnx/decoder_model_merged.onnx')),
      'MODEL_FILE_NOT_REGULAR',
    ],
    [
      'an empty tokenizer.json',
      (dir) => truncate(join(dir, 'tokenizer.json'), 0),
      'MODEL_FILE_EMPTY',
    ],
    [
      'config.json that is not JSON',
      (dir) => writeFile(join(dir, 'config.json'), '{"model_type": '),
      'MODEL_FILE_CORRUPT',
    ],
    [
      'config.json of another model',
      (dir) => writeFile(join(dir, 'config.json'), '{"model_type":"bert"}'),
      'MODEL_FILE_TYPE_MISMATCH',
    ],
    [
      'a truncated encoder',
      (dir) => truncate(join(dir, 'onnx/encoder_model.onnx'), 5000),
      'MODEL_FILE_CORRUPT',
    ],
    [
      'random bytes as the encoder',
      (dir) => writeFile(join(dir, 'onnx/encoder_model.onnx'), Buffer.from('garbage!'.repeat(64))),
      'MODEL_FILE_TYPE_MISMATCH',
    ],
  ];

  for (const [what, breakIt, code] of cases) {
    it(`${what}: ${code}`, async () => {
      const root = await tempDir();
      await writeTinyWhisperModel(join(root, 'model'));
      await breakIt(join(root, 'model'));
      let loads = 0;
      const loader = new ModelLoader({ modelDir: root }).register({
        name: 'whisper',
        path: 'model',
        adapter: {
          ...adapter,
          load: (...args) => {
            loads += 1;
            return adapter.load(...args);
          },
        },
      });
      const results = await loader.loadAll();
      expect(results.whisper?.error?.code).toBe(code);
      expect(loads).toBe(0);
      await loader.close();
    });
  }

  it('checksums each required file: a wrong digest for one is CHECKSUM_MISMATCH', async () => {
    const root = await tempDir();
    await writeTinyWhisperModel(join(root, 'model'));
    const loader = new ModelLoader({ modelDir: root }).register({
      name: 'whisper',
      path: 'model',
      adapter: adapter,
      checksum: { 'onnx/encoder_model.onnx': `sha256:${'0'.repeat(64)}` },
    });
    const results = await loader.loadAll();
    expect(results.whisper?.error?.code).toBe('CHECKSUM_MISMATCH');
    await loader.close();
  });

  it('rejects adapter settings it does not know, naming the field', () => {
    expect(() => createWhisperAdapter({ dtype: 'fp64' as 'fp32' })).toThrow(/`dtype`/);
  });

  it('requires the ONNX files of the chosen dtype', () => {
    const paths = createWhisperAdapter({ dtype: 'q8' }).requiredFiles.map((file) => file.path);
    expect(paths).toContain('onnx/encoder_model_quantized.onnx');
    expect(paths).toContain('onnx/decoder_model_merged_quantized.onnx');
  });
});
