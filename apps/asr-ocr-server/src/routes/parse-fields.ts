import { HttpError, keepAliveField } from '@model-loader/fastify';
import { z } from 'zod';

/** A form or query flag: `true`/`false`/`1`/`0`. */
export const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** A spoken language: a code (`en`, `haw`) or an English name (`english`). */
export const language = z
  .string()
  .regex(/^[A-Za-z][A-Za-z -]{1,31}$/, { message: 'must be a language code like "en" or a name' });

/**
 * Ollama's `keep_alive` as a form or query field: a number of seconds (negative: forever) or a
 * duration such as `'5m'`; how long the model stays loaded after this request.
 */
export const keepAlive = z
  .string()
  .max(32)
  .transform((value) => (/^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value))
  .pipe(keepAliveField);

/** A model name as the models file allows it. */
export const modelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { message: 'must be a model name' });

/**
 * Validates text fields (multipart fields merged over the query string) with `schema`.
 * @throws HttpError REQUEST_INVALID naming each bad field
 */
export function parseFields<T extends z.ZodType>(
  schema: T,
  fields: Readonly<Record<string, unknown>>,
): z.output<T> {
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `\`${key}\``).join(', ')}`;
    }
    return `\`${issue.path.join('.')}\` ${issue.message}`;
  });
  throw new HttpError('REQUEST_INVALID', `Invalid request: ${problems.join('; ')}`);
}
