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
      const deadline = new Promise<number>((resolve) => {
        timer = setTimeout(() => {
          app.log.error({ gracePeriodInMs }, 'shutdown grace period passed; exiting with code 1');
          resolve(1);
        }, gracePeriodInMs);
      });
      const close = (async () => {
        if (drainDelayInMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayInMs));
        await app.close();
        return 0;
      })().catch((error: unknown) => {
        app.log.error({ err: error }, 'closing the server failed');
        return 1;
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
