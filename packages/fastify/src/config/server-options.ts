import type { Logger, ModelRegistry } from '@model-loader/core';
import type { FastifyServerOptions } from 'fastify';
import { codedFrameworkOptions } from '../hardening/framework-errors.js';
import type { ModelLoaderPluginOptions } from '../plugin-options.js';
import { type ModelSignature, SIGNATURES_BY_ADAPTER } from '../routes/model-signature.js';
import { createStartupPull } from './create-startup-pull.js';
import type { ServerConfig } from './load-server-config.js';

/**
 * Fastify constructor options for a model server: pino logger at the configured level with request
 * ids (taken from `x-request-id` when the caller sends one), an explicit body limit, idle
 * keep-alive connections closed at shutdown, path parameters as long as a model name may be, and
 * the framework's own errors (bad percent-encoding, malformed requests, too large headers) in the
 * coded error shape; the plugin answers requests arriving while it closes with 503 SHUTTING_DOWN.
 */
export function createFastifyOptions(config: ServerConfig): FastifyServerOptions {
  return {
    logger: { level: config.logLevel },
    requestIdHeader: 'x-request-id',
    bodyLimit: config.bodyLimitInBytes,
    forceCloseConnections: 'idle',
    // find-my-way answers 404 for a longer parameter; a model name may have 256 characters.
    routerOptions: { maxParamLength: 512 },
    ...codedFrameworkOptions,
  };
}

/**
 * Plugin options from the config: the admin token, the limits, the rate limit, the OpenAPI switches,
 * each model's KServe v2 signature (by its adapter name), and with `pullOnStart` the pull of
 * missing model files that runs before the models load.
 */
export function createPluginOptions(
  config: ServerConfig,
  loader: ModelLoaderPluginOptions['loader'] & Pick<ModelRegistry, 'getModelInfo'>,
  options: { readonly logger?: Logger } = {},
): ModelLoaderPluginOptions {
  const signatures: Record<string, ModelSignature> = {};
  for (const entry of config.models) {
    const signature = SIGNATURES_BY_ADAPTER[entry.adapter];
    if (signature) signatures[entry.name] = signature;
  }
  const startupPull = createStartupPull(config, loader, options);
  return {
    loader,
    limits: config.limits,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
    clientKeyBy: config.clientKeyBy,
    openapi: config.openapi.document ? { docs: config.openapi.docs } : false,
    signatures,
    ...(startupPull ? { startupPull } : {}),
  };
}
