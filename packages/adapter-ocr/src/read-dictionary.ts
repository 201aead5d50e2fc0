import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModelLoaderError } from '@model-loader/core';
import { fileError } from './file-error.js';

/**
 * Reads a PaddleOCR character dictionary: UTF-8, one entry per line (`\n` or `\r\n`). The recogniser's
 * classes are blank, the entries, then a space (PaddleOCR `use_space_char`), so the space is appended.
 * @throws ModelLoaderError MODEL_FILE_NOT_FOUND, MODEL_FILE_NOT_READABLE, MODEL_FILE_CORRUPT
 */
export async function readDictionary(path: string): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileError(error, path);
  }
  const corrupt = (reason: string) =>
    new ModelLoaderError('MODEL_FILE_CORRUPT', `OCR dictionary ${basename(path)} ${reason}`, {
      path,
    });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw Object.assign(corrupt('is not UTF-8 text'), { cause: error });
  }
  if (text.includes('\0')) throw corrupt('contains NUL bytes (a binary file?)');
  const entries = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (entries.at(-1) === '') entries.pop();
  if (entries.length === 0 || entries.every((entry) => entry.trim() === ''))
    throw corrupt('has no entries');
  return [...entries, ' '];
}
