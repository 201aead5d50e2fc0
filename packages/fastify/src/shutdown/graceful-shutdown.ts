import type { FastifyInstance } from 'fastify';

/** Options of {@link installGracefulShutdown}. */
export interface GracefulShutdownOptions {
  /** Time in-flight work gets to finish; past it the process exits with code 1. @default 30000 */
  readonly gracePeriodInMs?: number;
  /** Signals that start the shutdown. @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /**
   * Time between readiness turning 503 and the server closing, so load balancers and Kubernetes
   * stop sending traffic first; counts toward the grace period. @default 0
   */
  readonly drainDelayInMs?: number;
  /**
   * Called when the grace period ends with work still running, to end it cleanly (the LLM server
   * sends each open event stream a `SHUTTING_DOWN` error event and `[DONE]`). If the server then
   * closes within `finalWindowInMs`, the process exits 0; otherwise 1.
   */
  readonly onGracePeriodEnd?: () => void | Promise<void>;
  /** Time the server gets to close after `onGracePeriodEnd`. @default 2000 */
  readonly finalWindowInMs?: number;
  /** Ends the process. @default process.exit */
  readonly exit?: (code: number) => void;
}

/** A handle on the installed shutdown. */
export interface GracefulShutdown {
  /** Runs the shutdown (as a signal would) and resolves with the exit code it used. */
  shutdown(reason?: string): Promise<number>;
  /** Removes the signal handlers. */
  uninstall(): void;
}

/**
 * On SIGTERM or SIGINT: readiness turns 503 at once and `app.models.run` refuses new work, loads in
 * progress are aborted, then the server stops accepting connections, in-flight requests finish, the
 * models are disposed (the plugin's onClose) and the process exits 0. Past `gracePeriodInMs`, or on
 * a second signal, it exits 1.
 */
export function installGracefulShutdown(
  app: FastifyInstance,
  options: GracefulShutdownOptions = {},
): GracefulShutdown {
  const gracePeriodInMs = options.gracePeriodInMs ?? 30_000;
  const drainDelayInMs = options.drainDelayInMs ?? 0;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<number> | undefined;

  const shutdown = (reason = 'shutdown'): Promise<number> => {
    if (running) return running;
    running = (async () => {
      const started = performance.now();
      app.log.info({ reason, gracePeriodInMs }, 'shutting down');
      app.models?.beginShutdown();
      let timer: NodeJS.Timeout | undefined;
      const close = (async () => {
        if (drainDelayInMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayInMs));
        await app.close();
        return 0;
      })().catch((error: unknown) => {
        app.log.error({ err: error }, 'closing the server failed');
        return 1;
      });
      const deadline = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          if (!options.onGracePeriodEnd) {
            app.log.error({ gracePeriodInMs }, 'shutdown grace period passed; exiting with code 1');
            resolve(1);
            return;
          }
          app.log.warn({ gracePeriodInMs }, 'shutdown grace period passed; ending running work');
          const finalWindowInMs = options.finalWindowInMs ?? 2000;
          let finalTimer: NodeJS.Timeout | undefined;
          const tooLate = new Promise<number>((late) => {
            finalTimer = setTimeout(() => {
              app.log.error(
                { finalWindowInMs },
                'work did not end after the grace period; exiting with code 1',
              );
              late(1);
            }, finalWindowInMs);
          });
          void Promise.resolve()
            .then(options.onGracePeriodEnd)
            .then(
              () => Promise.race([close, tooLate]),
              (error: unknown) => {
                app.log.error({ err: error }, 'ending running work failed');
                return 1;
              },
            )
            .then((code) => {
              clearTimeout(finalTimer);
              resolve(code);
            });
        }, gracePeriodInMs);
      });
      const code = await Promise.race([close, deadline]);
      clearTimeout(timer);
      app.log.info(
        { code, durationInMs: Math.round(performance.now() - started) },
        'shutdown finished',
      );
      exit(code);
      return code;
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      app.log.warn({ signal }, 'second signal during shutdown; exiting with code 1');
      exit(1);
      return;
    }
    void shutdown(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return {
    shutdown,
    uninstall() {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
