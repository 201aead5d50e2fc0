import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** What identifies a client for rate limiting and the fair queue. */
export type ClientKeyBy = 'ip' | 'api-key';

/**
 * The client's key: its IP address (`request.ip`, so behind a proxy set Fastify's `trustProxy`),
 * or with `api-key` a hash of its bearer token (`Authorization: Bearer ...` or `x-api-key`),
 * falling back to the IP. Key by API key only where the keys are verified (by a gateway in front):
 * unverified keys cost nothing to rotate.
 */
export function clientKeyOf(request: FastifyRequest, by: ClientKeyBy): string {
  if (by === 'api-key') {
    const authorization = request.headers.authorization;
    const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    const header = request.headers['x-api-key'];
    const key = bearer ?? (typeof header === 'string' && header !== '' ? header : undefined);
    if (key) return `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  }
  return `ip:${request.ip}`;
}

/**
 * The client of the request being handled, so `app.models.run` can queue fairly without the route
 * passing it. Entered in preValidation, after the body was read: body events would lose it.
 */
export const currentClient = new AsyncLocalStorage<string>();
