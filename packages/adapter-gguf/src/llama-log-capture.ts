import type { Llama, LlamaLogLevel } from 'node-llama-cpp';

type LogSink = (level: LlamaLogLevel, message: string) => void;

const sinksByLlama = new WeakMap<Llama, Set<LogSink>>();

/**
 * Routes a Llama instance's log lines to the captures active at the time (and to its previous
 * logger). node-llama-cpp reports every structural load failure as "Failed to load model"; the real
 * reason only reaches this logger, sometimes after the throw. Lines of concurrent loads on the same
 * instance land in every active capture.
 */
function sinksOf(llama: Llama): Set<LogSink> {
  let sinks = sinksByLlama.get(llama);
  if (sinks === undefined) {
    const created = new Set<LogSink>();
    sinks = created;
    sinksByLlama.set(llama, created);
    const previous = llama.logger;
    llama.logger = (level, message) => {
      for (const sink of created) sink(level, message);
      previous(level, message);
    };
  }
  return sinks;
}

/** Log lines collected while a load runs. */
export interface LlamaLogCapture {
  /** Stops collecting after the pending log lines arrived; returns the lines (`level: text`). */
  stop(): Promise<string[]>;
  /** Stops collecting at once, for a load that succeeded and needs no reason. */
  discard(): void;
}

/** Starts collecting the warning and error lines of `llama`. */
export function captureLlamaLog(llama: Llama): LlamaLogCapture {
  const lines: string[] = [];
  const sinks = sinksOf(llama);
  const sink: LogSink = (level, message) => {
    if (level === 'error' || level === 'warn' || level === 'fatal') {
      const text = message.trim();
      if (text) lines.push(`${level}: ${text}`);
    }
  };
  sinks.add(sink);
  return {
    async stop() {
      // llama.cpp's log callback reaches JavaScript asynchronously: let queued lines arrive.
      await new Promise((resolve) => setTimeout(resolve, 10));
      sinks.delete(sink);
      return lines;
    },
    discard() {
      sinks.delete(sink);
    },
  };
}

const genericLine =
  /failed to load model|failed to read (tensor data|tensor info|key-value pairs)|failed to parse gguf/i;

/** The most specific reason among llama.cpp's error lines, for the error message. */
export function pickLoadFailureReason(lines: readonly string[]): string | undefined {
  const errors = lines
    .filter((line) => line.startsWith('error: ') || line.startsWith('fatal: '))
    .map((line) =>
      line
        .replace(/^(error|fatal): /, '')
        .replace(/^([a-z_:]+: )+/, '')
        .replace(/^error loading model: /, '')
        .replace(/^([a-z_:]+: )+/, ''),
    );
  return errors.find((line) => !genericLine.test(line)) ?? errors[0];
}
