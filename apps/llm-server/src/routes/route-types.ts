/** A Fastify instance whose routes take zod schemas (the plugin's own type). */
export type { ZodApp } from '@model-loader/fastify';

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
