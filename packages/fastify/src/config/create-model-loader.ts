import {
  type ChecksumVerifier,
  type LoaderFunction,
  type Logger,
  type ModelAdapter,
  ModelLoader,
  ModelLoaderError,
} from '@model-loader/core';
import type { ServerConfig } from './load-server-config.js';

/** Adapters by the name models use in the models file: `{ gguf: createGgufAdapter(), ... }`. */
export type AdapterMap = Readonly<
  Record<string, ModelAdapter<unknown, ModelOptions> | LoaderFunction<unknown, never>>
>;

/** A models file entry's `options`: each adapter checks its own. */
type ModelOptions = Record<string, unknown>;

/** A plain loader function is a file adapter (as the core treats it). */
function asAdapter(adapter: AdapterMap[string]): ModelAdapter<unknown, ModelOptions> {
  return typeof adapter === 'function' ? { kind: 'file', load: adapter } : adapter;
}

/** Options of {@link createModelLoaderFromConfig}. */
export interface CreateModelLoaderOptions {
  /** Where the engine logs (pass `app.log.child({ component: 'model-loader' })`). */
  readonly logger?: Logger;
  /** Digest computation (for example core's `createChecksumVerifier()` with worker threads and a cache). */
  readonly checksumVerifier?: ChecksumVerifier;
}

/**
 * Creates a `ModelLoader` for the config and registers each model of the models file with the
 * adapter it names.
 * @throws ModelLoaderError CONFIG_INVALID naming the model entry (with the core's error as cause)
 */
export function createModelLoaderFromConfig(
  config: ServerConfig,
  adapters: AdapterMap,
  options: CreateModelLoaderOptions = {},
): ModelLoader<Record<string, unknown>, 'process' | 'none'> {
  const loader = new ModelLoader({
    modelDir: config.modelDir,
    ...(config.validateChecksums === undefined
      ? {}
      : { validateChecksums: config.validateChecksums }),
    ...(config.strictChecksums === undefined ? {} : { strictChecksums: config.strictChecksums }),
    ...(config.checksumCacheDirectory === undefined
      ? {}
      : { checksumCacheDirectory: config.checksumCacheDirectory }),
    ...(config.lockFile === undefined ? {} : { lockFile: config.lockFile }),
    ...(config.loadConcurrency === undefined ? {} : { loadConcurrency: config.loadConcurrency }),
    ...(config.memoryBudgetInBytes === undefined
      ? {}
      : { memoryBudgetInBytes: config.memoryBudgetInBytes }),
    isolation: config.isolation,
    ...(config.processes ? { processes: config.processes } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.checksumVerifier ? { checksumVerifier: options.checksumVerifier } : {}),
  });
  config.models.forEach((entry, index) => {
    const adapter = adapters[entry.adapter];
    if (!adapter) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `\`models[${index}].adapter\`: unknown adapter "${entry.adapter}"; use one of: ${Object.keys(adapters).join(', ')}`,
        { modelName: entry.name },
      );
    }
    try {
      // The entry's shared fields are ModelSpec fields (one schema); name, adapter and the HTTP
      // limits are not passed on as such.
      const { name, adapter: _adapterName, limits: _limits, ...fields } = entry;
      loader.register({ ...fields, name, adapter: asAdapter(adapter) });
    } catch (error) {
      const reason = ModelLoaderError.isInstance(error) ? error.message : String(error);
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `\`models[${index}]\` (${entry.name}) in the models file: ${reason}`,
        { modelName: entry.name, cause: error },
      );
    }
  });
  return loader;
}
