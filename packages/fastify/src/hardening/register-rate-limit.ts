import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors/http-error.js';
import { type ClientKeyBy, clientKeyOf } from './client-key.js';

/** Per-client rate limiting of every route but the probes and `/metrics`. */
export interface RateLimitOptions {
  /** Requests one client may send per window. */
  readonly max: number;
  /** Length of the window. @default 60000 */
  readonly timeWindowInMs?: number;
  /** Clients counted apart; see `clientKeyOf`. @default 'ip' */
  readonly keyBy?: ClientKeyBy;
  /** Keys never limited (for example `ip:127.0.0.1`). @default [] */
  readonly allowList?: readonly string[];
}

/** Routes that orchestrators and scrapers poll: never rate limited. */
const unlimitedRoutes = new Set([
  '/health',
  '/health/live',
  '/health/ready',
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/:name/ready',
  '/v2/models/:name/versions/:version/ready',
  '/metrics',
]);

/**
 * Registers @fastify/rate-limit on `app` (every route registered after it): over the limit a client
 * gets 429 RATE_LIMITED with `Retry-After` and the `x-ratelimit-*` headers, in the coded error shape
 * (the error handler renders it, OpenAI's shape included).
 */
export async function registerRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  const keyBy = options.keyBy ?? 'ip';
  const allowed = new Set(options.allowList ?? []);
  await app.register(fastifyRateLimit, {
    global: true,
    max: options.max,
    timeWindow: options.timeWindowInMs ?? 60_000,
    hook: 'onRequest',
    keyGenerator: (request) => clientKeyOf(request, keyBy),
    allowList: (request, key) =>
      allowed.has(key) || unlimitedRoutes.has(request.routeOptions.url ?? ''),
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new HttpError(
        'RATE_LIMITED',
        `Rate limit exceeded: at most ${context.max} requests per ${Math.round((options.timeWindowInMs ?? 60_000) / 1000)} s per client; try again in ${context.after}`,
        // Held up to 1 s: a client that ignores Retry-After gets one answer per connection and second.
        { headers: { 'retry-after': String(seconds) }, holdInMs: Math.min(seconds * 1000, 1000) },
      );
    },
  });
}
