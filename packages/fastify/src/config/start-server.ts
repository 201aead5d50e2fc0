import type { FastifyInstance } from 'fastify';
import {
  type GracefulShutdown,
  type GracefulShutdownOptions,
  installGracefulShutdown,
} from '../shutdown/graceful-shutdown.js';
import type { ServerConfig } from './load-server-config.js';

/**
 * Listens on the configured host (127.0.0.1 unless HOST says otherwise) and port and installs the
 * graceful shutdown. The plugin starts loading the models once the server listens, so probes answer
 * from the first second.
 */
export async function startServer(
  app: FastifyInstance,
  config: Pick<ServerConfig, 'host' | 'port' | 'shutdownGraceInMs'>,
  options: Omit<GracefulShutdownOptions, 'gracePeriodInMs'> = {},
): Promise<{ address: string; shutdown: GracefulShutdown }> {
  const address = await app.listen({ host: config.host, port: config.port });
  const shutdown = installGracefulShutdown(app, {
    ...options,
    gracePeriodInMs: config.shutdownGraceInMs,
  });
  return { address, shutdown };
}
