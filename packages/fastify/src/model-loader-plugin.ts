import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { HttpError } from './errors/http-error.js';
import { createErrorHandler, createNotFoundHandler } from './errors/send-error.js';
import type { FastifyModels } from './fastify-models.js';
import { clientKeyOf, currentClient } from './hardening/client-key.js';
import { registerRateLimit } from './hardening/register-rate-limit.js';
import { type BoundedLimiter, createBoundedLimiter } from './limits/bounded-limiter.js';
import { runWithLimits } from './limits/run-with-limits.js';
import { createMetrics } from './metrics/create-metrics.js';
import { registerOpenApi } from './openapi/register-openapi.js';
import { limitsFor, type ModelLoaderPluginOptions, parsePluginOptions } from './plugin-options.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { createHealthCache } from './routes/health-cache.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerKserveRoutes } from './routes/kserve-routes.js';
import { registerMetricsRoute } from './routes/metrics-route.js';
import { registerModelRoutes } from './routes/model-routes.js';
import type { RouteContext, ZodApp } from './routes/route-context.js';
import { registerTritonRepositoryRoutes } from './routes/triton-repository-routes.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Probes keep answering while the server closes (readiness says 503 itself). */
const probeRoutes = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/v2/health/live',
  '/v2/health/ready',
  '/metrics',
]);

async function modelLoaderPluginImpl(
  app: FastifyInstance,
  rawOptions: ModelLoaderPluginOptions,
): Promise<void> {
  const options = parsePluginOptions(rawOptions);
  const { loader } = options;
  const modelDirs = [loader.modelDir];
  const log = app.log.child({ component: 'model-loader' });
  const limiters = new Map<string, BoundedLimiter>();
  let shuttingDown = false;
  let closing = false;
  let loading: Promise<void> | undefined;
  const pullAbort = new AbortController();

  const limiterFor = (name: string): BoundedLimiter => {
    let limiter = limiters.get(name);
    if (!limiter) {
      const limits = limitsFor(options.limits, name);
      limiter = createBoundedLimiter(name, {
        ...limits,
        maxRetryAfterInSeconds: Math.max(1, Math.ceil(limits.timeoutInMs / 1000)),
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };
  const health = createHealthCache(loader, modelDirs, {
    fileCheckIntervalInMs: options.fileCheckIntervalInMs,
  });
  const isReady = () => !shuttingDown && health.get().statusCode === 200;

  const metricsOptions = options.metrics === true ? {} : options.metrics;
  const metrics =
    metricsOptions === false
      ? undefined
      : createMetrics(
          {
            prefix: metricsOptions.prefix ?? 'model_loader_',
            defaultMetrics: metricsOptions.defaultMetrics ?? true,
            ...(metricsOptions.registry ? { registry: metricsOptions.registry } : {}),
          },
          { loader, limiters: () => limiters, isReady },
        );

  // The pull runs first so that no model validates a file still being downloaded; a failed pull
  // leaves the file missing, and the load then fails with the validation's own code.
  const pullThenLoad = async () => {
    if (options.startupPull) {
      log.info('pulling missing model files before loading');
      await options.startupPull.run(pullAbort.signal).catch((error: unknown) => {
        if (!pullAbort.signal.aborted) log.error({ err: error }, 'pulling model files failed');
      });
    }
    if (shuttingDown) return {};
    return loader.loadAll();
  };

  const models: FastifyModels = {
    loader,
    async run(name, fn, runOptions) {
      const started = performance.now();
      try {
        if (shuttingDown) {
          throw new HttpError(
            'SHUTTING_DOWN',
            'The server is shutting down and takes no new work',
            {
              headers: { 'retry-after': '5' },
            },
          );
        }
        const limits = limitsFor(options.limits, name);
        const clientKey = runOptions?.clientKey ?? currentClient.getStore();
        const result = await runWithLimits(
          {
            loader,
            limiter: limiterFor(name),
            name,
            timeoutInMs: limits.timeoutInMs,
            ...(clientKey === undefined ? {} : { clientKey }),
          },
          fn,
          runOptions,
        );
        metrics?.observeRun(name, 'ok', (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        if (loader.has(name)) {
          metrics?.observeRun(name, 'error', (performance.now() - started) / 1000);
          if (HttpError.isInstance(error)) metrics?.countRejected(name, error.code);
        }
        throw error;
      }
    },
    get ready() {
      return isReady();
    },
    get shuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info('shutting down: not ready, refusing new work');
      pullAbort.abort(new Error('shutting down'));
      for (const name of loader.modelNames) {
        const { state } = loader.getModelInfo(name);
        if (state === 'validating' || state === 'loading') {
          loader.unload(name).catch((error: unknown) => {
            log.warn({ model: name, err: error }, 'aborting a load at shutdown failed');
          });
        }
      }
    },
    loadInBackground() {
      loading ??= pullThenLoad().then(
        (results) => {
          const failed = Object.values(results).filter((result) => !result.ok).length;
          log.info({ failed, total: loader.modelNames.length }, 'background loading finished');
        },
        (error: unknown) => {
          log.error({ err: error }, 'background loading failed');
        },
      );
      return loading;
    },
    requestStats(name) {
      const limiter = limiters.get(name);
      const limits = limitsFor(options.limits, name);
      return {
        activeCount: limiter?.activeCount ?? 0,
        pendingCount: limiter?.pendingCount ?? 0,
        concurrency: limits.concurrency,
        maxQueue: limits.maxQueue,
      };
    },
    metricsRegistry: metrics?.registry,
  };
  app.decorate('models', models);

  if (options.errorHandler) {
    app.setErrorHandler(createErrorHandler());
    app.setNotFoundHandler(createNotFoundHandler());
  }

  // Both collect the routes registered after them, the app's own included: they come first.
  if (options.openapi !== false) {
    await registerOpenApi(app, {
      ...(options.openapi === true ? {} : options.openapi),
      defaultVersion: packageVersion,
    });
  }
  if (options.rateLimit) {
    await registerRateLimit(app, {
      ...options.rateLimit,
      keyBy: options.rateLimit.keyBy ?? options.clientKeyBy,
    });
  }
  app.addHook('onRequest', async (request) => {
    if (request.url.length > options.maxUrlLength) {
      throw new HttpError(
        'URI_TOO_LONG',
        `The URL is ${request.url.length} characters long; the limit is ${options.maxUrlLength}`,
      );
    }
    if (closing && !probeRoutes.has(request.routeOptions.url ?? '')) {
      throw new HttpError('SHUTTING_DOWN', 'The server is shutting down and takes no new work', {
        headers: { 'retry-after': '5', connection: 'close' },
      });
    }
  });
  // Holds tarpitted refusals (HttpError.holdInMs) before any error handler answers; a client that
  // hangs up ends the hold.
  app.addHook('onError', async (_request, reply, error) => {
    if (!HttpError.isInstance(error) || error.holdInMs <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, error.holdInMs);
      function done() {
        clearTimeout(timer);
        reply.raw.off('close', done);
        resolve();
      }
      // The response's 'close' before it was sent means the client went away.
      reply.raw.once('close', done);
    });
  });
  // `app.models.run` reads the client from here to queue fairly; entered after the body was read.
  app.addHook('preValidation', (request, _reply, done) => {
    currentClient.run(clientKeyOf(request, options.clientKeyBy), done);
  });

  const context: RouteContext = {
    loader,
    models,
    modelDirs,
    health,
    ...(options.startupPull ? { startupPull: options.startupPull } : {}),
  };
  await app.register(async (child) => {
    child.setValidatorCompiler(validatorCompiler);
    const routes: ZodApp = child.withTypeProvider<ZodTypeProvider>();
    registerHealthRoutes(routes, context);
    registerModelRoutes(routes, context);
    registerKserveRoutes(routes, context, {
      server: options.server ?? { name: 'model-loader', version: packageVersion },
      signatures: options.signatures,
      modelRepository: options.adminToken !== undefined,
    });
    if (options.adminToken) {
      registerAdminRoutes(routes, context, options.adminToken);
      registerTritonRepositoryRoutes(routes, context, options.adminToken);
    }
    if (metrics) registerMetricsRoute(child, metrics.registry);
  });

  if (options.loadOnListen) {
    app.addHook('onListen', async () => {
      void models.loadInBackground();
    });
  }
  // Keep-alive connections would hold `server.close()` open until they time out: once shutting
  // down, every answer (in-flight ones included) closes its connection.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (shuttingDown) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('preClose', async () => {
    closing = true;
    models.beginShutdown();
  });
  app.addHook('onClose', async () => {
    // Runs after Fastify stopped the server and in-flight requests ended.
    await Promise.all([...limiters.values()].map((limiter) => limiter.idle()));
    metrics?.close();
    health.close();
    if (options.closeLoader) await loader.close();
  });
}

/**
 * The model-loader Fastify plugin: health, readiness, KServe v2 probes, `/models`, admin routes
 * (with `adminToken`), `/metrics`, `app.models.run` with per-model limits, one error handler, and
 * shutdown hooks. Models load in the background once the server listens.
 *
 * @example
 * const app = Fastify({ logger: true });
 * await app.register(modelLoaderPlugin, { loader, adminToken: process.env.ADMIN_TOKEN });
 * await app.listen({ host: '127.0.0.1', port: 3000 });
 */
export const modelLoaderPlugin = fp(modelLoaderPluginImpl, {
  name: '@model-loader/fastify',
  fastify: '5.x',
});
