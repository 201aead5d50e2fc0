import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

/** A Fastify instance whose routes take zod schemas. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** `stop` as a list. */
export function stopList(
  stop: string | readonly string[] | null | undefined,
): string[] | undefined {
  if (stop === null || stop === undefined) return undefined;
  return typeof stop === 'string' ? [stop] : [...stop];
}

/** `null` as `undefined`, for OpenAI's nullable fields. */
export function orUndefined<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}
