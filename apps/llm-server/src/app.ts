import {
  createGgufAdapter,
  type GgufLoadOptions,
  type GgufModelHandle,
} from '@model-loader/adapter-gguf';
import type { ModelAdapter } from '@model-loader/core';
import {
  createErrorHandler,
  createFastifyOptions,
  createModelLoaderFromConfig,
  createNotFoundHandler,
  createPluginOptions,
  modelLoaderPlugin,
} from '@model-loader/fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { LlmServerConfig } from './config/llm-server-config.js';
import { inferenceErrors, openAiErrors } from './routes/error-responses.js';
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
    { gguf: adapter },
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
    child.setErrorHandler(createErrorHandler(inferenceErrors));
    registerInferenceRoute(child.withTypeProvider<ZodTypeProvider>(), child);
  });

  await app.register(
    async (child) => {
      child.setValidatorCompiler(validatorCompiler);
      child.setErrorHandler(createErrorHandler(openAiErrors));
      child.setNotFoundHandler(createNotFoundHandler(openAiErrors));
      registerOpenAiRoutes(child.withTypeProvider<ZodTypeProvider>(), child, streams);
    },
    { prefix: '/v1' },
  );
  return app;
}
