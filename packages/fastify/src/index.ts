export { type ModelEntry, modelNamePattern } from '@model-loader/core/models-file';
export { createBearerCheck } from './auth/bearer-auth.js';
export {
  type AdapterMap,
  type CreateModelLoaderOptions,
  createModelLoaderFromConfig,
} from './config/create-model-loader.js';
export {
  type CreateStartupPullOptions,
  createStartupPull,
} from './config/create-startup-pull.js';
export { demoModelsNotWritable } from './config/demo-models-not-writable.js';
export { demoRequested } from './config/demo-requested.js';
export {
  type LoadServerConfigOptions,
  loadServerConfig,
  noModelsFile,
  type ServerConfig,
} from './config/load-server-config.js';
export { createFastifyOptions, createPluginOptions } from './config/server-options.js';
export * from './config/start-failure.js';
export { startServer } from './config/start-server.js';
export { type ErrorBody, type ErrorResponse, toErrorResponse } from './errors/error-response.js';
export { HTTP_ERROR_CODES, HttpError, type HttpErrorCode } from './errors/http-error.js';
export { HTTP_ERROR_DOCS, type HttpErrorDoc } from './errors/http-error-docs.js';
export { HTTP_STATUS_BY_CODE, httpStatusFor } from './errors/http-status.js';
export { type OpenAiErrorBody, toOpenAiErrorBody } from './errors/openai-error-body.js';
export { scrubPaths } from './errors/scrub-paths.js';
export {
  createErrorHandler,
  createNotFoundHandler,
  errorResponseFor,
  logErrorResponse,
  modelDirsOf,
  routeNotFoundError,
  type SendErrorOptions,
  sendError,
} from './errors/send-error.js';
export type {
  FastifyModels,
  ModelLoaderRegister,
  ModelRequestStats,
  ModelsOfLoader,
  RegisteredModels,
} from './fastify-models.js';
export { type ClientKeyBy, clientKeyOf } from './hardening/client-key.js';
export {
  clientErrorHandler,
  codedFrameworkOptions,
  frameworkErrors,
} from './hardening/framework-errors.js';
export type { RateLimitOptions } from './hardening/register-rate-limit.js';
export * from './keep-alive-field.js';
export { disconnectSignal } from './limits/disconnect-signal.js';
export type { RunFunction, RunOptions } from './limits/run-with-limits.js';
export { modelLoaderPlugin } from './model-loader-plugin.js';
export { modelsFor } from './models-for.js';
export { listRoutes, type RouteEntry } from './openapi/list-routes.js';
export type { OpenApiOptions } from './openapi/register-openapi.js';
export type {
  LimitsOptions,
  MetricsOptions,
  ModelLimits,
  ModelLoaderPluginOptions,
} from './plugin-options.js';
export type { ServerIdentity } from './routes/kserve-routes.js';
export {
  type ModelSignature,
  SIGNATURES_BY_ADAPTER,
  type TensorMetadata,
} from './routes/model-signature.js';
export type { ZodApp } from './routes/route-context.js';
export {
  type GracefulShutdown,
  type GracefulShutdownOptions,
  installGracefulShutdown,
} from './shutdown/graceful-shutdown.js';
export type { ModelPullStatus, StartupPull } from './startup-pull.js';
