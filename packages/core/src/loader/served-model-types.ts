import type { ModelLoaderError } from '../errors/model-loader-error.js';
import type { Remote } from '../isolation/model-process-entry.js';
import type { ModelState } from '../lifecycle/model-state.js';

/** Names accepted by `get`: the registered ones when known to the type system, else any string. */
export type ModelName<TModels> = [keyof TModels] extends [never]
  ? string
  : Extract<keyof TModels, string>;
/** The model type registered under `TName`. */
export type ModelOf<TModels, TName> = TName extends keyof TModels ? TModels[TName] : unknown;
/**
 * What `get` returns for a model registered with `TSpec` isolation on a loader whose default is
 * `TDefault`: the adapter's handle in process, its `Remote` view in a process of its own.
 */
export type ServedModel<TModel, TSpec, TDefault> = [TSpec] extends ['process']
  ? Remote<TModel>
  : [TSpec] extends ['none']
    ? TModel
    : [TDefault] extends ['none']
      ? TModel
      : Remote<TModel>;

/** Result of one model's load in `loadAll`. */
export interface ModelLoadResult {
  readonly name: string;
  readonly ok: boolean;
  readonly state: ModelState;
  readonly durationInMs: number;
  readonly attempts: number;
  readonly error?: ModelLoaderError;
}
