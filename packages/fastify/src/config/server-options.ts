import type { Logger, ModelRegistry } from '@model-loader/core';
import type { FastifyServerOptions } from 'fastify';
import type { ModelLoaderPluginOptions } from '../plugin-options.js';
import { createStartupPull } from './create-startup-pull.js';
import type { ServerConfig } from './load-server-config.js';

/**
 * Fastify constructor options for a model server: pino logger at the configured level with request
 * ids (taken from `x-request-id` when the caller sends one), an explicit body limit, 503 for
 * requests arriving while it closes, idle keep-alive connections closed at shutdown.
 */
export function createFastifyOptions(config: ServerConfig): FastifyServerOptions {
  return {
    logger: { level: config.logLevel },
    requestIdHeader: 'x-request-id',
    bodyLimit: config.bodyLimitInBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  };
}

/**
 * Plugin options from the config: the admin token, the limits, and with `pullOnStart` the pull of
 * missing model files that runs before the models load.
 */
export function createPluginOptions(
  config: ServerConfig,
  loader: ModelLoaderPluginOptions['loader'] & Pick<ModelRegistry, 'getModelInfo'>,
  options: { readonly logger?: Logger } = {},
): ModelLoaderPluginOptions {
  const startupPull = createStartupPull(config, loader, options);
  return {
    loader,
    limits: config.limits,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    ...(startupPull ? { startupPull } : {}),
  };
}
