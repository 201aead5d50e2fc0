import {
  createGgufAdapter,
  type GgufLoadOptions,
  type GgufModelHandle,
} from '@model-loader/adapter-gguf';
import type { ModelAdapter } from '@model-loader/core';
import {
  createFastifyOptions,
  createModelLoaderFromConfig,
  createPluginOptions,
  modelLoaderPlugin,
} from '@model-loader/fastify';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LlmServerConfig } from './config/llm-server-config.js';
import {
  type RouteErrorResponse,
  toOpenAiErrorBody,
  toRouteErrorResponse,
} from './routes/error-responses.js';
import { registerInferenceRoute } from './routes/inference-route.js';
import { OpenStreams } from './routes/open-streams.js';
import { registerOpenAiRoutes } from './routes/openai-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAI event streams being served; the shutdown ends them with `SHUTTING_DOWN`. */
    openStreams: OpenStreams;
  }
}

/** Options of {@link buildApp} for tests and embedding. */
export interface BuildAppOptions {
  /** Fastify's logger, instead of pino at the configured level (tests pass `false`). */
  readonly logger?: FastifyServerOptions['logger'];
  /** The GGUF adapter, instead of `createGgufAdapter(config.gguf)`. */
  readonly adapter?: ModelAdapter<GgufModelHandle, GgufLoadOptions>;
}

type ErrorBodyShape = (response: RouteErrorResponse) => unknown;

function errorHandler(app: FastifyInstance, shape: ErrorBodyShape, codeUnknownFields: boolean) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const response = toRouteErrorResponse(error, [app.models.loader.modelDir], codeUnknownFields);
    if (response.statusCode === 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: response.body.error.code }, response.body.error.message);
    return reply.code(response.statusCode).headers(response.headers).send(shape(response));
  };
}

/**
 * The LLM server: the model-loader plugin (health, readiness, `/models`, admin, metrics, limits,
 * shutdown) with the config's GGUF models, `POST /inference`, and OpenAI-compatible
 * `/v1/models`, `/v1/models/{id}`, `/v1/chat/completions`, `/v1/completions` and `/v1/embeddings`.
 * Models load once it listens (or call `app.models.loadInBackground()`).
 */
export async function buildApp(
  config: LlmServerConfig,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...createFastifyOptions(config),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const adapter = options.adapter ?? createGgufAdapter(config.gguf);
  const loader = createModelLoaderFromConfig(
    config,
    { gguf: adapter as ModelAdapter<unknown, unknown> },
    { logger: app.log.child({ component: 'model-loader' }) },
  );
  await app.register(
    modelLoaderPlugin,
    createPluginOptions(config, loader, { logger: app.log.child({ component: 'model-pull' }) }),
  );
  const streams = new OpenStreams();
  app.decorate('openStreams', streams);

  await app.register(async (child) => {
    child.setValidatorCompiler(validatorCompiler);
    child.setErrorHandler(errorHandler(child, (response) => response.body, false));
    registerInferenceRoute(child.withTypeProvider<ZodTypeProvider>(), child);
  });

  await app.register(
    async (child) => {
      child.setValidatorCompiler(validatorCompiler);
      child.setErrorHandler(errorHandler(child, toOpenAiErrorBody, true));
      child.setNotFoundHandler((request, reply) =>
        reply.code(404).send(
          toOpenAiErrorBody({
            statusCode: 404,
            headers: {},
            isServerError: false,
            param: null,
            body: {
              error: {
                code: 'NOT_FOUND',
                message: `Route ${request.method} ${request.url} not found`,
              },
            },
          }),
        ),
      );
      registerOpenAiRoutes(child.withTypeProvider<ZodTypeProvider>(), child, streams);
    },
    { prefix: '/v1' },
  );
  return app;
}
