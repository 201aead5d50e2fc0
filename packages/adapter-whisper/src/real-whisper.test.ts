import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ModelLoader } from '@model-loader/core';
import { describe, expect, it } from 'vitest';
import { createWhisperAdapter } from './create-whisper-adapter.js';

// A real Whisper export (for example onnx-community/whisper-tiny.en, downloaded beforehand: nothing
// is fetched here). Without it these tests are reported as skipped, with the reason in their name.
const modelDir = process.env.WHISPER_MODEL_DIR;
const run = promisify(execFile);

async function espeakAvailable(): Promise<boolean> {
  return run('espeak-ng', ['--version']).then(
    () => true,
    () => false,
  );
}

describe.skipIf(!modelDir)(
  `real Whisper export (${modelDir ? modelDir : 'skipped: set WHISPER_MODEL_DIR to a transformers.js Whisper folder'})`,
  () => {
    it('transcribes speech made by espeak-ng', async (context) => {
      if (!(await espeakAvailable())) {
        context.skip('espeak-ng is not installed (apt-get install espeak-ng)');
        return;
      }
      const work = await mkdtemp(join(tmpdir(), 'whisper-speech-'));
      try {
        const wavPath = join(work, 'speech.wav');
        await run('espeak-ng', [
          '-v',
          'en-us',
          '-s',
          '140',
          '-w',
          wavPath,
          'hello world, this is a test',
        ]);
        const loader = new ModelLoader({ modelDir: dirname(modelDir!) }).register({
          name: 'whisper',
          path: basename(modelDir!),
          adapter: createWhisperAdapter({ dtype: (process.env.WHISPER_DTYPE as 'fp32') ?? 'fp32' }),
        });
        const model = await loader.load('whisper');
        const result = await model.transcribe(await readFile(wavPath));
        expect(result.text.toLowerCase()).toMatch(/hello/);
        expect(result.text.toLowerCase()).toMatch(/test/);
        await loader.close();
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }, 120_000);
  },
);
