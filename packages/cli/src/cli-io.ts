import { ModelLoaderError } from '@model-loader/core';

/** A stream the CLI writes to. */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where the CLI reads and writes; the real process by default, replaceable in tests. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: NodeJS.ProcessEnv;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** `model-loader: CODE: message`, the one line every failure gets on stderr. */
export function errorLine(error: unknown): string {
  if (ModelLoaderError.isInstance(error)) return `model-loader: ${error.code}: ${error.message}\n`;
  if (error instanceof Error) return `model-loader: ${error.message}\n`;
  return `model-loader: ${String(error)}\n`;
}
