/** Exit codes of `model-loader`, stable for scripts and init containers. */
export const EXIT_CODES = {
  /** Everything checked out. */
  ok: 0,
  /** A file is missing, unreadable or does not match (a checksum or size mismatch). */
  failed: 1,
  /** Bad command line, config, lock file or checksum file. */
  usage: 2,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
