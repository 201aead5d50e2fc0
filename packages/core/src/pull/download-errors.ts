import { ModelLoaderError } from '../errors/model-loader-error.js';

/** Whether a failed attempt of a download may be tried again (network failures, 5xx, 408, 429). */
export function isRetryable(error: unknown): boolean {
  return ModelLoaderError.isInstance(error) && error.isRetryable;
}

/** The downloaded bytes hash to another digest than the pinned one. */
export function mismatch(label: string, expected: string, actual: string, path: string) {
  return new ModelLoaderError(
    'CHECKSUM_MISMATCH',
    `Checksum mismatch! Expected: ${expected}, Got: ${actual}\nThe download of ${label} was deleted: the source serves other bytes than the pinned ones.`,
    { path, expected, actual },
  );
}

/** The source announces or sends another size than the pinned one. */
export function sizeMismatch(label: string, expected: number, actual: number, path: string) {
  return new ModelLoaderError(
    'CHECKSUM_MISMATCH',
    `Size mismatch! Expected: ${expected} bytes, Got: ${actual} bytes or more\nThe download of ${label} was deleted: the source serves other bytes than the pinned ones.`,
    { path, expected: String(expected), actual: String(actual) },
  );
}
