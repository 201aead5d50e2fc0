import { z } from 'zod';
import { HttpError } from '../errors/http-error.js';
import { modelNameParams } from './model-name.js';

/** The one version every model has: the engine serves one copy of a model at a time. */
export const MODEL_VERSION = '1';

/** `:name` and `:version` of the KServe v2 routes. */
export const modelVersionParams = modelNameParams.extend({
  version: z.string().min(1).max(64),
});

/** @throws HttpError MODEL_VERSION_NOT_FOUND for any version but {@link MODEL_VERSION} */
export function assertVersion(name: string, version: string): void {
  if (version !== MODEL_VERSION) {
    throw new HttpError(
      'MODEL_VERSION_NOT_FOUND',
      `Model '${name}' has no version '${version.slice(0, 64)}'; its only version is '${MODEL_VERSION}'`,
    );
  }
}
