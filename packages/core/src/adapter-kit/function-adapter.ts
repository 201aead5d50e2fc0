import type { LoaderFunction, ModelAdapter } from '../spec/model-adapter.js';
import { ADAPTER_SPEC_VERSION } from './adapter-spec-version.js';

/** Name of the adapter that wraps a plain loader function. */
export const FUNCTION_ADAPTER_NAME = 'function';

/** Wraps a plain loader function as a single-file adapter named `function`. */
export function adapterFromFunction<TModel, TOptions>(
  load: LoaderFunction<TModel, TOptions>,
): ModelAdapter<TModel, TOptions> {
  return { name: FUNCTION_ADAPTER_NAME, specVersion: ADAPTER_SPEC_VERSION, kind: 'file', load };
}
