/** Progress of the files of one model while the server pulls them at start. */
export interface ModelPullStatus {
  /** `pending` until its files are checked, `pulling` meanwhile, then `done` or `failed`. */
  readonly state: 'pending' | 'pulling' | 'done' | 'failed';
  /** Files of the model with a source. */
  readonly files: number;
  /** Files in place and verified. */
  readonly filesDone: number;
  /** Bytes on disk of the files being downloaded, resumed bytes included. */
  readonly bytesDone: number;
  /** Bytes of those files, when the source told their size. */
  readonly totalBytes?: number;
  /** The first failure of one of its files. */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * Downloads missing model files before the models load (`pullOnStart`). The plugin runs it once,
 * before `loadAll`, and shows `status(name)` in `/models/:name` (the model reads `loading`
 * meanwhile).
 */
export interface StartupPull {
  /** Pulls every file; never rejects for a bad file (its model's status says `failed`). */
  run(signal: AbortSignal): Promise<void>;
  /** Status of a model that has a source, or undefined. */
  status(name: string): ModelPullStatus | undefined;
}
