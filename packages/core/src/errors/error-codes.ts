/**
 * Every error code the engine can raise, with what it means and how to fix it.
 * Codes are stable: a released code is never renamed or reused. `docs/errors.md` is generated from
 * (and checked against) this table by a test.
 */
export const ERROR_CODES = {
  MODEL_FILE_NOT_FOUND: {
    meaning: 'The model path does not exist.',
    fix: 'Check the path in the model spec and that the model was downloaded into the model directory.',
    retryable: false,
  },
  MODEL_FILE_EMPTY: {
    meaning: 'The model file is 0 bytes (an interrupted download or copy).',
    fix: 'Download or copy the model file again.',
    retryable: false,
  },
  MODEL_FILE_NOT_READABLE: {
    meaning: 'The process may not read the model file (permission denied).',
    fix: 'Give the server user read access, for example `chmod 644 FILE`.',
    retryable: false,
  },
  MODEL_FILE_NOT_REGULAR: {
    meaning:
      'The path is not a regular file (a directory, socket or device), or a model directory lacks a required file.',
    fix: 'Point the spec at the model file itself, or complete the model directory.',
    retryable: false,
  },
  MODEL_FILE_TYPE_MISMATCH: {
    meaning: 'The magic bytes of the file name another format than the adapter expects.',
    fix: 'Use the adapter for the format the file has, or replace the file with the right one.',
    retryable: false,
  },
  MODEL_FILE_CORRUPT: {
    meaning: "The file has the right format but its structure is broken (the adapter's preflight).",
    fix: 'Download the model again and pin its checksum.',
    retryable: false,
  },
  MODEL_PATH_OUTSIDE_ROOT: {
    meaning: 'The model path, after resolving symlinks, leaves the model directory.',
    fix: 'Keep model files (and the targets of their symlinks) inside the model directory.',
    retryable: false,
  },
  CHECKSUM_MISMATCH: {
    meaning: 'The file digest differs from the expected checksum.',
    fix: 'Download the file again; if the new file is intended, update the expected checksum.',
    retryable: false,
  },
  CHECKSUM_INVALID: {
    meaning: 'The expected checksum is malformed: unknown algorithm, wrong length or not hex.',
    fix: 'Write it as `sha256:<64 hex digits>` (or md5 / sha1 with 32 / 40 digits).',
    retryable: false,
  },
  MODEL_LOAD_FAILED: {
    meaning: "The model's loader threw.",
    fix: "Read the cause (the runtime's own message); check memory, the runtime's version and the loader options.",
    retryable: true,
  },
  MODEL_LOAD_TIMEOUT: {
    meaning: 'One load attempt took longer than `loadTimeoutInMs` and was aborted.',
    fix: 'Raise `loadTimeoutInMs` for large models or find out why the loader hangs.',
    retryable: true,
  },
  MODEL_LOAD_ABORTED: {
    meaning: 'The load was cancelled (unload, close or shutdown) before it finished.',
    fix: 'Nothing to fix when intended; load the model again.',
    retryable: false,
  },
  MODEL_INSUFFICIENT_MEMORY: {
    meaning: "The model's memory estimate does not fit in the memory budget.",
    fix: 'Raise `memoryBudgetInBytes`, unload other models, or use a smaller quantization.',
    retryable: false,
  },
  MODEL_NOT_REGISTERED: {
    meaning: 'No model with this name was registered.',
    fix: 'Use one of the registered names (listed in the message).',
    retryable: false,
  },
  MODEL_NOT_AVAILABLE: {
    meaning: 'The model is registered but not loaded (pending, loading, failed or unloaded).',
    fix: 'Wait for the load to finish, or fix the load error given in the message.',
    retryable: false,
  },
  MODEL_ALREADY_REGISTERED: {
    meaning: 'A model with this name is already registered.',
    fix: 'Give each model a unique name.',
    retryable: false,
  },
  CONFIG_INVALID: {
    meaning: 'A loader option or model spec field is invalid.',
    fix: 'Correct the field named in the message.',
    retryable: false,
  },
  IMAGE_INVALID: {
    meaning:
      'An image given to a model is empty, cannot be decoded, or is not one of the accepted formats (PNG, JPEG, WebP, TIFF).',
    fix: 'Send the image bytes unchanged, in one of the accepted formats.',
    retryable: false,
  },
  IMAGE_TOO_LARGE: {
    meaning:
      "An image is larger than the adapter's byte or pixel limit (a guard against decompression bombs).",
    fix: 'Scale the image down, or raise `maxImageSizeInBytes` / `maxImagePixels` in the adapter settings.',
    retryable: false,
  },
  CHECKSUM_FILE_INVALID: {
    meaning: 'A lock file or a sha256sum-style checksum file cannot be parsed.',
    fix: 'Fix the line or field named in the message, or write the file again with `model-loader lock`.',
    retryable: false,
  },
  LOCK_FILE_NOT_FOUND: {
    meaning: 'The configured lock file (`lockFile`, `LOCK_FILE`) does not exist.',
    fix: 'Write it with `model-loader lock CONFIG`, or correct the path (relative paths start at the model directory).',
    retryable: false,
  },
  LOCK_ENTRY_MISSING: {
    meaning:
      'A lock file is configured but does not pin a file of this model, and the model may not run unpinned.',
    fix: 'Run `model-loader lock CONFIG` again to pin the file, give the model a `checksum`, or set `allowUnpinned: true` on it if it may run unverified.',
    retryable: false,
  },
  AUDIO_INVALID: {
    meaning:
      'Audio given to a speech model is empty, has no samples, or cannot be decoded (accepted: WAV, MP3, FLAC, OGG Vorbis/Opus and other formats audio-decode reads).',
    fix: 'Send the audio file bytes unchanged, or 16 kHz mono float samples.',
    retryable: false,
  },
  AUDIO_TOO_LONG: {
    meaning: "Audio is longer or larger than the adapter's duration or byte limit.",
    fix: 'Send shorter audio, or raise `maxAudioDurationInSeconds` / `maxAudioSizeInBytes` in the adapter settings.',
    retryable: false,
  },
  MODEL_BUSY: {
    meaning:
      "A request to a loaded model was refused because the model's queue of waiting requests is full.",
    fix: 'Try the request again later (for example answer HTTP 503 with Retry-After), or raise `maxQueuedRequests` or `parallelSequences` in the adapter settings.',
    retryable: true,
  },
  PROMPT_TOO_LONG: {
    meaning:
      "A prompt has more bytes than the model's context could hold as tokens (its context size times the longest token of its vocabulary), so it was refused without tokenizing it.",
    fix: 'Shorten the prompt, or load the model with a larger `contextSize`.',
    retryable: false,
  },
  MODEL_SOURCE_INVALID: {
    meaning:
      'A model `source` (or HF_ENDPOINT) is not an `https://`, `http://` or `hf://<org>/<repo>/<path>@<revision>` address, or its path leaves the model folder.',
    fix: 'Write the source as `hf://org/repo/path/to/file@revision` or a full http(s) URL without credentials (use HF_TOKEN for the Hub).',
    retryable: false,
  },
  PULL_NOT_PINNED: {
    meaning:
      'A model has a `source` but no pinned checksum (in the models file or the lock file), so a download could not be verified.',
    fix: 'Pin the checksum (or run `model-loader lock` on a trusted copy), or pass `--pin` to `model-loader pull` to pin the bytes of the first download in the lock file.',
    retryable: false,
  },
  PULL_HTTP_ERROR: {
    meaning:
      'The source answered a download with an error status (4xx is not retried; 5xx, 408 and 429 are, with backoff).',
    fix: 'For 401/403 set HF_TOKEN (gated or private repositories); for 404 check the path and revision of the source; 5xx: try again later.',
    retryable: true,
  },
  PULL_NETWORK_ERROR: {
    meaning:
      'A download failed on the network: connection refused or dropped, or no bytes within the timeout (retried with backoff; partial bytes are kept and resumed).',
    fix: 'Check the network and the source host; run `model-loader pull` again, it resumes where it stopped.',
    retryable: true,
  },
  PULL_REDIRECT_REFUSED: {
    meaning:
      'A download was redirected too many times, to a scheme other than http(s), or from https down to http.',
    fix: 'Use the final https URL as the source, or fix the redirect on the server.',
    retryable: false,
  },
  PULL_ABORTED: {
    meaning: 'A download was cancelled (a signal, or the server shutting down) before it finished.',
    fix: 'Nothing to fix when intended; pull again and it resumes from the partial file.',
    retryable: false,
  },
  MODEL_PROCESS_EXITED: {
    meaning:
      "The model's process exited or was killed (a native crash such as SIGSEGV, SIGABRT or SIGBUS, an OOM kill, or not answering within its timeout); calls in flight were refused.",
    fix: 'Read the exit signal or code and the last stderr lines in the message; check the model file (it is verified again before each restart) and memory. The engine restarts the model with backoff up to its restart limit; then reload it.',
    retryable: true,
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** Description of one error code. */
export interface ErrorCodeInfo {
  /** What went wrong, in one sentence. */
  readonly meaning: string;
  /** What the operator should do. */
  readonly fix: string;
  /** Whether a load that failed with this code may succeed when tried again. */
  readonly retryable: boolean;
}

/** A stable error code of the engine. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** All error codes, in table order. */
export const errorCodes = Object.keys(ERROR_CODES) as ErrorCode[];
