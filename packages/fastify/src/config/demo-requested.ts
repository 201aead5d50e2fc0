import { ModelLoaderError } from '@model-loader/core';

/**
 * True when the environment asks for the demo models: `DEMO=1` (or `true`), as `pnpm start` sets
 * it. A server never serves demo models otherwise; with no models file it stops with
 * CONFIG_INVALID instead.
 * @throws ModelLoaderError CONFIG_INVALID for another DEMO value, or DEMO together with MODELS_FILE
 */
export function demoRequested(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.DEMO?.trim().toLowerCase();
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (value !== '1' && value !== 'true') {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid environment variables:\n- \`DEMO\`: must be 1 or true (serve the demo models), or 0, false or unset\nFix or unset them and start again.`,
    );
  }
  if (env.MODELS_FILE) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `DEMO=${env.DEMO} and MODELS_FILE=${env.MODELS_FILE} are both set: unset DEMO to serve your models file, or unset MODELS_FILE to serve the demo models.`,
    );
  }
  return true;
}
