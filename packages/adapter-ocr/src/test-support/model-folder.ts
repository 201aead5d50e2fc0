import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultOcrModelFiles, getDefaultOcrModelPath } from '../index.js';

/** A temporary model directory; `remove` deletes it. */
export interface TempModelDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function createTempModelDir(): Promise<TempModelDir> {
  const path = await mkdtemp(join(tmpdir(), 'adapter-ocr-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Copies the four files of the default model folder into `folder`. */
export async function copyDefaultModel(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const source = getDefaultOcrModelPath();
  for (const name of Object.values(defaultOcrModelFiles))
    await copyFile(join(source, name), join(folder, name));
}

/** `sha256:<hex>` of a file. */
export async function sha256Of(path: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await readFile(path))
    .digest('hex')}`;
}

/** Deterministic bytes that do not look like any model format (first byte 0xff). */
export function noiseBytes(length: number): Uint8Array {
  let state = 0x9e3779b9;
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[index] = state >>> 24;
  }
  bytes[0] = 0xff;
  return bytes;
}
