import fastifyMultipart from '@fastify/multipart';
import { createOcrAdapter, type OcrAdapterSettings } from '@model-loader/adapter-ocr';
import { createWhisperAdapter, type WhisperAdapterSettings } from '@model-loader/adapter-whisper';
import {
  createErrorHandler,
  createFastifyOptions,
  createModelLoaderFromConfig,
  createPluginOptions,
  modelLoaderPlugin,
} from '@model-loader/fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AsrOcrServerConfig } from './config/load-asr-ocr-config.js';
import { registerAsrRoute } from './routes/asr-route.js';
import { registerOcrRoute } from './routes/ocr-route.js';
import { registerOpenAiAudioRoutes } from './routes/openai-audio-routes.js';
import { openAiErrors } from './routes/openai-error-handler.js';
import type { AppRouteContext } from './routes/route-context.js';
import { createUploadBudget } from './uploads/upload-budget.js';

/** Options of {@link buildApp} beyond the configuration. */
export interface BuildAppOptions {
  /** Fastify's logger setting; `false` in tests. @default pino at the configured level */
  readonly logger?: FastifyServerOptions['logger'];
  /** Settings of the Whisper adapter (for example `threadCount`); upload limits are added. */
  readonly whisper?: WhisperAdapterSettings;
  /** Settings of the OCR adapter (for example `threadCount`); upload limits are added. */
  readonly ocr?: OcrAdapterSettings;
}

/**
 * Builds the ASR/OCR server: the model-loader plugin (health, readiness, `/models`, metrics, admin,
 * per-model limits, shutdown) over a loader with the models of `config`, and the routes `/asr`,
 * `/ocr`, `/v1/audio/transcriptions` and `/v1/audio/translations`. Models load once the server listens (or when a test calls
 * `app.models.loadInBackground()`).
 */
export async function buildApp(
  config: AsrOcrServerConfig,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const { uploads } = config;
  const app = Fastify({
    ...createFastifyOptions(config),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const adapters = {
    whisper: createWhisperAdapter({
      maxAudioSizeInBytes: uploads.maxUploadBytes,
      maxAudioDurationInSeconds: uploads.maxAudioDurationInSeconds,
      ...options.whisper,
    }),
    ocr: createOcrAdapter({
      maxImageSizeInBytes: uploads.maxUploadBytes,
      maxImagePixels: uploads.maxImagePixels,
      ...options.ocr,
    }),
  };
  const loader = createModelLoaderFromConfig(config, adapters, {
    logger: app.log.child({ component: 'model-loader' }),
  });
  await app.register(
    modelLoaderPlugin,
    createPluginOptions(config, loader, { logger: app.log.child({ component: 'model-pull' }) }),
  );

  const namesOf = (adapter: keyof typeof adapters) =>
    config.models.filter((entry) => entry.adapter === adapter).map((entry) => entry.name);
  const context: AppRouteContext = {
    speechModels: namesOf('whisper'),
    ocrModels: namesOf('ocr'),
    uploads,
  };
  const budget = createUploadBudget(uploads.uploadBudgetBytes, uploads.maxUploadBytes);
  app.decorate('uploadBudget', budget);
  await app.register(async (routes) => {
    // Before the body is read: a refused upload is never buffered.
    routes.addHook('onRequest', budget.reserve);
    await routes.register(fastifyMultipart, {
      limits: { fileSize: uploads.maxUploadBytes, files: 1 },
    });
    // Raw uploads: the body is the file itself.
    routes.addContentTypeParser(
      /^(audio|video|image)\/[\w.+-]+/,
      { parseAs: 'buffer', bodyLimit: uploads.maxUploadBytes },
      (_request, body, done) => done(null, body),
    );
    routes.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: uploads.maxUploadBytes },
      (_request, body, done) => done(null, body),
    );
    registerAsrRoute(routes, context);
    registerOcrRoute(routes, context);
    await routes.register(async (v1) => {
      v1.setErrorHandler(createErrorHandler(openAiErrors));
      registerOpenAiAudioRoutes(v1, context);
    });
  });
  return app;
}
