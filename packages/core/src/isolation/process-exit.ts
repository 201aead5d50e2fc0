import { basename } from 'node:path';

/** How a model process ended. */
export interface ProcessExit {
  readonly pid: number;
  /** Exit code, or `null` when a signal ended it. */
  readonly code: number | null;
  /** Signal that ended it (`SIGSEGV`, `SIGKILL` ...), or `null`. */
  readonly signal: NodeJS.Signals | null;
  /** When it exited (ISO 8601). */
  readonly at: string;
  /** Last lines it wrote to stderr, absolute paths reduced to file names. */
  readonly stderrTail: readonly string[];
  /** True when the engine stopped it (unload, close, reload). */
  readonly expected: boolean;
  /** Why the supervisor killed it, when it did. */
  readonly killedFor?: string;
}

const ABSOLUTE_PATH = /(?:[A-Za-z]:)?(?:[\\/][^\s\\/:'"`,;()[\]]+){2,}/g;

/** Replaces absolute paths in `text` by their last segment (no machine paths in HTTP answers). */
export function scrubAbsolutePaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (path) => basename(path));
}

/** "exited with signal SIGSEGV; last stderr: ...". */
export function describeExit(exit: ProcessExit): string {
  const how =
    exit.signal !== null
      ? `was killed by signal ${exit.signal}`
      : `exited with code ${exit.code ?? 'unknown'}`;
  const why = exit.killedFor ? ` after ${exit.killedFor}` : '';
  const tail = exit.stderrTail.slice(-5).map(scrubAbsolutePaths).join(' | ');
  return `${how}${why}${tail ? `; last stderr: ${tail}` : ''}`;
}
