import { ModelLoaderError } from '@model-loader/core/hashing';

/** A stream the CLI writes to. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** A stream the CLI reads from (`model-loader hash -`). */
export interface InputStream extends AsyncIterable<Uint8Array | string> {
  readonly isTTY?: boolean;
}

/** Where the CLI reads and writes; the real process by default, replaceable in tests. */
export interface CliIo {
  /** Standard input; read only by commands that take `-`. */
  readonly stdin?: InputStream;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return {
    // A getter: touching process.stdin sets up a stream, which only `hash -` needs.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}

/** `model-loader: CODE: message`, the one line every failure gets on stderr. */
export function errorLine(error: unknown): string {
  if (ModelLoaderError.isInstance(error)) return `model-loader: ${error.code}: ${error.message}\n`;
  if (error instanceof Error) return `model-loader: ${error.message}\n`;
  return `model-loader: ${String(error)}\n`;
}
