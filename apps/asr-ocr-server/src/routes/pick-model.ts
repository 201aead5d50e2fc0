import { ModelLoaderError } from '@model-loader/core';

/**
 * The model a request asked for among the models of one kind, or the kind's default (the first).
 * `aliases` name the default too (OpenAI's `whisper-1`).
 * @throws ModelLoaderError MODEL_NOT_REGISTERED (404) naming the models of that kind
 */
export function pickModel(
  kind: 'speech' | 'OCR',
  models: readonly string[],
  requested: string | undefined,
  fallback: string,
  aliases: readonly string[] = [],
): string {
  if (requested === undefined || aliases.includes(requested)) return models[0] ?? fallback;
  if (models.includes(requested)) return requested;
  throw new ModelLoaderError(
    'MODEL_NOT_REGISTERED',
    `No ${kind} model '${requested}'. ${kind === 'speech' ? 'Speech' : 'OCR'} models: ${models.length ? [...aliases, ...models].join(', ') : '(none)'}`,
    { modelName: requested },
  );
}
