import type { OutputStream } from './cli-io.js';
import { formatBytes } from './format-bytes.js';

/** How progress is shown: bars on a terminal, plain lines in logs, nothing with `--quiet`. */
export type ProgressMode = 'bars' | 'lines' | 'none';

/** Reports the progress of long hashes on stderr. */
export interface ProgressReporter {
  /** Progress callback for one file; files smaller than the threshold report nothing. */
  track(label: string, sizeInBytes: number): (bytesDone: number) => void;
  /** Ends one file's progress. */
  done(label: string): void;
  /** Removes the bars (call before printing results to the terminal). */
  stop(): void;
}

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  readonly stream: OutputStream;
  readonly mode: ProgressMode;
  /** Smaller files hash too fast to need progress. @default 64 MiB */
  readonly minimumSizeInBytes?: number;
  /** Least time between two plain lines of one file. @default 5000 ms */
  readonly lineIntervalInMs?: number;
  /** Words of the plain lines. @default { running: 'hashing', finished: 'hashed' } */
  readonly verbs?: { readonly running: string; readonly finished: string };
}

/** The mode for a stream: bars on a TTY, lines otherwise, none when quiet. */
export function progressModeFor(stream: OutputStream, quiet: boolean): ProgressMode {
  if (quiet) return 'none';
  return stream.isTTY ? 'bars' : 'lines';
}

/** Creates a progress reporter; bars use cli-progress, loaded only when a bar is needed. */
export async function createProgressReporter(
  options: ProgressReporterOptions,
): Promise<ProgressReporter> {
  const minimum = options.minimumSizeInBytes ?? 64 * 1024 * 1024;
  const noop = () => {};
  if (options.mode === 'none') return { track: () => noop, done: noop, stop: noop };
  if (options.mode === 'lines') {
    const interval = options.lineIntervalInMs ?? 5000;
    const { running, finished } = options.verbs ?? { running: 'hashing', finished: 'hashed' };
    const started = new Map<string, number>();
    return {
      track(label, sizeInBytes) {
        if (sizeInBytes < minimum) return noop;
        started.set(label, performance.now());
        options.stream.write(`${running} ${label} (${formatBytes(sizeInBytes)})\n`);
        let lastLineAt = performance.now();
        return (bytesDone) => {
          const now = performance.now();
          if (now - lastLineAt < interval || bytesDone >= sizeInBytes) return;
          lastLineAt = now;
          const percent = Math.floor((bytesDone / sizeInBytes) * 100);
          options.stream.write(
            `${running} ${label}: ${percent}% (${formatBytes(bytesDone)} of ${formatBytes(sizeInBytes)})\n`,
          );
        };
      },
      done(label) {
        const start = started.get(label);
        if (start === undefined) return;
        started.delete(label);
        options.stream.write(
          `${finished} ${label} in ${((performance.now() - start) / 1000).toFixed(1)} s\n`,
        );
      },
      stop: noop,
    };
  }
  const { default: cliProgress } = await import('cli-progress');
  const multiBar = new cliProgress.MultiBar(
    {
      stream: options.stream as NodeJS.WritableStream,
      format: ' {bar} {percentage}% | {doneText} of {totalText} | {label}',
      hideCursor: true,
      clearOnComplete: true,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, ReturnType<typeof multiBar.create>>();
  return {
    track(label, sizeInBytes) {
      if (sizeInBytes < minimum) return noop;
      const totalText = formatBytes(sizeInBytes);
      const bar = multiBar.create(sizeInBytes, 0, { label, doneText: formatBytes(0), totalText });
      bars.set(label, bar);
      return (bytesDone) =>
        bar.update(bytesDone, { label, doneText: formatBytes(bytesDone), totalText });
    },
    done(label) {
      const bar = bars.get(label);
      if (bar === undefined) return;
      bars.delete(label);
      multiBar.remove(bar);
    },
    stop: () => multiBar.stop(),
  };
}
