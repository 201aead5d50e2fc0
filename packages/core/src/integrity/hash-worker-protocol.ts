import type { ChecksumAlgorithm } from '../checksum/checksum-algorithm.js';

/** Main thread to worker: hash one file. */
export interface HashJobMessage {
  readonly type: 'hash';
  readonly jobId: number;
  readonly path: string;
  readonly algorithm: ChecksumAlgorithm;
  readonly chunkSizeInBytes: number;
  /** Bytes between two progress messages. */
  readonly progressIntervalInBytes: number;
}

/** Main thread to worker: stop the job (its promise has already been rejected). */
export interface AbortJobMessage {
  readonly type: 'abort';
  readonly jobId: number;
}

/** Messages a hash worker accepts. */
export type ToWorkerMessage = HashJobMessage | AbortJobMessage;

/** A node:fs error, flattened to cross the thread boundary. */
export interface SerializedFileError {
  readonly code?: string;
  readonly syscall?: string;
  readonly message: string;
}

/** Messages a hash worker sends. */
export type FromWorkerMessage =
  | { readonly type: 'progress'; readonly jobId: number; readonly bytesDone: number }
  | {
      readonly type: 'done';
      readonly jobId: number;
      readonly digest: string;
      readonly sizeInBytes: number;
    }
  | { readonly type: 'aborted'; readonly jobId: number }
  | { readonly type: 'failed'; readonly jobId: number; readonly error: SerializedFileError };
