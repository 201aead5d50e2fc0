import { ModelLoaderError } from '@model-loader/core';
import type { FastifyInstance } from 'fastify';
import {
  type GracefulShutdown,
  type GracefulShutdownOptions,
  installGracefulShutdown,
} from '../shutdown/graceful-shutdown.js';
import type { ServerConfig } from './load-server-config.js';

/**
 * A port that is taken or not allowed is the operator's to fix: CONFIG_INVALID naming the
 * variable that sets it (PORT, HOST), instead of a raw `listen EADDRINUSE`.
 */
export function listenError(error: unknown, config: Pick<ServerConfig, 'host' | 'port'>): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') {
    return new ModelLoaderError(
      'CONFIG_INVALID',
      `Cannot listen on ${where}: the port is in use by another process (EADDRINUSE). Set PORT to a free port, or stop the other process.`,
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new ModelLoaderError(
      'CONFIG_INVALID',
      `Cannot listen on ${where}: not allowed to bind port ${config.port} (EACCES). Set PORT to 1024 or above, or give the process the right to bind low ports.`,
      { cause: error },
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new ModelLoaderError(
      'CONFIG_INVALID',
      `Cannot listen on ${where}: no such address on this machine (${code}). Set HOST to an address of this machine, for example 127.0.0.1 or 0.0.0.0.`,
      { cause: error },
    );
  }
  return error;
}

/**
 * Listens on the configured host (127.0.0.1 unless HOST says otherwise) and port and installs the
 * graceful shutdown. The plugin starts loading the models once the server listens, so probes answer
 * from the first second.
 * @throws ModelLoaderError CONFIG_INVALID when the port is taken or not allowed, or HOST is no
 * address of this machine
 */
export async function startServer(
  app: FastifyInstance,
  config: Pick<ServerConfig, 'host' | 'port' | 'shutdownGraceInMs'>,
  options: Omit<GracefulShutdownOptions, 'gracePeriodInMs'> = {},
): Promise<{ address: string; shutdown: GracefulShutdown }> {
  const address = await app
    .listen({ host: config.host, port: config.port })
    .catch((error: unknown) => {
      throw listenError(error, config);
    });
  const shutdown = installGracefulShutdown(app, {
    ...options,
    gracePeriodInMs: config.shutdownGraceInMs,
  });
  return { address, shutdown };
}
