import type { ModelProcessEntry } from '../isolation/model-process-entry.js';
import type { LoadContext } from './load-context.js';
import type { ModelFormat } from './model-format.js';

/** A file a directory-kind adapter needs, relative to the model directory it loads. */
export interface RequiredFile {
  /** Path relative to the model's folder, with `/` separators. */
  readonly path: string;
  /** Format its magic bytes must show, when the adapter knows it. */
  readonly format?: ModelFormat;
}

/** A summary of a model file that an adapter's preflight read without loading it. */
export interface ModelInspection {
  /** Format name as the adapter knows it (for example `GGUF v3`). */
  readonly format: string;
  /** Short facts for people and `/models`: architecture, parameter count, quantization ... */
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A typed loader for one kind of model. `TModel` is what `load` returns and `ModelLoader.get` gives
 * back; `TOptions` are the per-model options (`ModelSpec.options`).
 */
export interface ModelAdapter<TModel, TOptions = Record<string, unknown>> {
  /**
   * Short name of the adapter (`gguf`, `whisper`, `ocr`; `function` for a plain loader function),
   * for `/models`, logs and tools that group models by adapter. Optional in the type so that hand-
   * written adapters keep compiling; every adapter of this project sets it.
   */
  readonly name?: string;
  /** The `ADAPTER_SPEC_VERSION` of core the adapter was written for. */
  readonly specVersion?: number;
  /** Format the file (kind `file`) must have, checked by magic bytes before anything else reads it. */
  readonly format?: ModelFormat;
  /** A single file, or a directory holding `requiredFiles`. */
  readonly kind: 'file' | 'directory';
  /** For kind `directory`: files that must exist, be regular, non-empty and readable. */
  readonly requiredFiles?: readonly (string | RequiredFile)[];
  /**
   * Preflight: checks the format's structure before the native runtime sees the file. Throws a
   * `ModelLoaderError` (usually `MODEL_FILE_CORRUPT`) when the file would crash or confuse the runtime.
   */
  inspect?(path: string, signal: AbortSignal): Promise<ModelInspection>;
  /**
   * Bytes of memory the loaded model will take, for the memory budget. `inspection` is what this
   * adapter's own `inspect` returned for the same path in the same load (absent when the adapter
   * has no `inspect`), so an estimate need not read the file's header a second time.
   */
  estimateMemory?(path: string, options: TOptions, inspection?: ModelInspection): Promise<number>;
  /** Loads the model. Must honour `context.signal`. */
  load(path: string, options: TOptions, context: LoadContext): Promise<TModel>;
  /**
   * How a child process re-creates this adapter, so the model can run in its own process
   * (`isolation: 'process'`). Adapters without it can only load in process.
   */
  readonly processEntry?: ModelProcessEntry;
  /** Frees the model. Called once per loaded copy, never while a lease holds it. */
  dispose?(model: TModel): Promise<void> | void;
}

/** A plain loader function, for models without an adapter. */
export type LoaderFunction<TModel, TOptions = Record<string, unknown>> = (
  path: string,
  options: TOptions,
  context: LoadContext,
) => Promise<TModel>;

/** True when `value` is an adapter object rather than a plain loader function. */
export function isModelAdapter<TModel, TOptions>(
  value: ModelAdapter<TModel, TOptions> | LoaderFunction<TModel, TOptions>,
): value is ModelAdapter<TModel, TOptions> {
  return typeof value === 'object' && value !== null && typeof value.load === 'function';
}
