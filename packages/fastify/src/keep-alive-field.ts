import { type KeepAliveInput, keepAliveProblem } from '@model-loader/core';
import { z } from 'zod';

/**
 * Ollama's per-request `keep_alive`, as an extra body field: a number of seconds (negative:
 * forever) or a duration with its unit (`'5m'`, `'30s'`, `'forever'`). Parsed to the engine's
 * keep-alive (milliseconds); clients that do not send it are not affected.
 */
export const keepAliveField = z
  .union([z.number(), z.string().max(32)])
  .transform((value): KeepAliveInput => {
    if (typeof value === 'string') return value;
    return value < 0 ? -1 : Math.round(value * 1000);
  })
  .superRefine((value, context) => {
    const problem = keepAliveProblem(value);
    if (problem !== undefined) {
      context.addIssue({
        code: 'custom',
        message: `a number of seconds, or a duration such as '30s', '5m' or '1h', 0 (unload after this request) or -1 / 'forever'; ${problem}`,
      });
    }
  });
