import type { z } from 'zod';
import type { IsolationMode } from '../isolation/model-process-entry.js';
import type { checksumValueSchema, ModelFieldsInput } from '../models-file/model-fields-schema.js';
import type { LoaderFunction, ModelAdapter } from './model-adapter.js';

/** An expected checksum: `"sha256:<hex>"` (a bare hex string means sha256), or its parts. */
export type ChecksumInput = Readonly<z.input<typeof checksumValueSchema>>;

/**
 * The fields a `ModelSpec` shares with a models file entry: their types (and documentation) come
 * from the models-file schema (`modelFieldsSchema`, `@model-loader/core/models-file`).
 */
type SharedModelFields = Readonly<Omit<ModelFieldsInput, 'options' | 'isolation'>>;

/** Registration of one model. */
export interface ModelSpec<
  TName extends string,
  TModel,
  TOptions = Record<string, unknown>,
  TIsolation extends IsolationMode = IsolationMode,
> extends SharedModelFields {
  /** Unique name, used by `get`, the health report and the HTTP routes. */
  readonly name: TName;
  /** An adapter, or a plain function `(path, options, context) => Promise<model>`. */
  readonly adapter: ModelAdapter<TModel, TOptions> | LoaderFunction<TModel, TOptions>;
  /** Options handed to the adapter. */
  readonly options?: TOptions;
  /**
   * `'process'`: load and serve the model in its own supervised child process (the adapter needs a
   * `processEntry`; `get` then returns a `Remote` handle). `'none'`: in the engine's process.
   * @default the loader's `isolation`
   */
  readonly isolation?: TIsolation;
}
