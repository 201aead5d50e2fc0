import { copyFile, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOcrModelFiles, getDefaultOcrModelPath } from '@model-loader/adapter-ocr';
import { writeTinyWhisperModel } from '@model-loader/fixtures';
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import { buildApp } from '../app.js';
import { type AsrOcrServerConfig, loadAsrOcrConfig } from '../config/load-asr-ocr-config.js';

/** How the test model folder is laid out. */
export interface TestModelsOptions {
  /** `broken`: the OCR folder is a copy whose recognition model is cut in half. @default 'ok' */
  readonly ocr?: 'ok' | 'broken';
  /** `broken`: the Whisper decoder is cut in half. @default 'ok' */
  readonly whisper?: 'ok' | 'broken';
  /** Extra entries for each model in the models file (limits, checksum ...). */
  readonly ocrEntry?: Record<string, unknown>;
  readonly whisperEntry?: Record<string, unknown>;
  /** Extra environment (upload limits, queue size ...). */
  readonly env?: Record<string, string>;
}

const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh folder under the OS temp dir, removed after the test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'asr-ocr-server-'));
  tempDirs.push(dir);
  return dir;
}

/**
 * Writes a models folder (tiny Whisper fixture + a copy of the real PaddleOCR files) and a
 * models.yaml registering `whisper` (required) and `ocr` (optional), and reads it the way the
 * server does.
 */
export async function createTestConfig(
  options: TestModelsOptions = {},
): Promise<AsrOcrServerConfig> {
  const root = await tempDir();
  const models = join(root, 'models');
  await writeTinyWhisperModel(join(models, 'whisper'));
  if (options.whisper === 'broken') {
    await truncate(join(models, 'whisper', 'onnx', 'decoder_model_merged.onnx'), 20_000);
  }
  await mkdir(join(models, 'ocr'), { recursive: true });
  for (const name of Object.values(defaultOcrModelFiles)) {
    await copyFile(join(getDefaultOcrModelPath(), name), join(models, 'ocr', name));
  }
  if (options.ocr === 'broken') {
    await truncate(join(models, 'ocr', defaultOcrModelFiles.recognition), 100_000);
  }
  const file = {
    modelDir: 'models',
    models: [
      { name: 'whisper', adapter: 'whisper', path: 'whisper', ...options.whisperEntry },
      { name: 'ocr', adapter: 'ocr', path: 'ocr', required: false, ...options.ocrEntry },
    ],
  };
  await writeFile(join(root, 'models.yaml'), stringify(file));
  return loadAsrOcrConfig({ cwd: root, env: { LOG_LEVEL: 'silent', ...options.env } });
}

/** Builds the app for `app.inject()` with one onnxruntime thread, and waits for the models. */
export async function createTestApp(config: AsrOcrServerConfig): Promise<FastifyInstance> {
  const app = await buildApp(config, {
    logger: false,
    whisper: { threadCount: 1 },
    ocr: { threadCount: 1 },
  });
  await app.ready();
  await app.models.loadInBackground();
  return app;
}
