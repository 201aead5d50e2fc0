/**
 * How a child process re-creates an adapter: functions cannot cross a process boundary, so an
 * adapter that can run isolated names the module and factory that build it, with settings that
 * survive structured cloning (no functions, no native objects).
 */
export interface ModelProcessEntry {
  /**
   * Module to import in the child: an absolute `file:` URL, or the adapter's own package name
   * (resolved from `from` through that package's `exports`).
   */
  readonly module: string;
  /** `import.meta.url` of the adapter's code, to resolve `module` when it is a package name. */
  readonly from?: string;
  /** Named export of `module` that creates the adapter, called as `factory(settings)`. */
  readonly exportName: string;
  /** Settings for the factory; must be structured-cloneable. */
  readonly settings?: unknown;
  /**
   * Handle methods that return an async iterable (`AsyncIterable<chunk>` with an optional
   * `result` promise) instead of a promise, so the parent's proxy can return a stream at once.
   */
  readonly streamingMethods?: readonly string[];
}

type Primitive = string | number | boolean | bigint | null | undefined;

/**
 * What a model handle exposes across a process boundary: its methods (promises and streams, with
 * their exact signatures) and its primitive properties, copied when the model loaded. Native members
 * (a node-llama-cpp `LlamaModel`, an onnxruntime session) and object-valued properties stay in
 * the child and are absent here. An in-process handle is assignable to its `Remote`, so code written
 * against `Remote<T>` runs with either isolation.
 */
export type Remote<T> = {
  readonly [K in keyof T as T[K] extends (...args: never[]) => unknown
    ? K
    : T[K] extends Primitive
      ? K
      : never]: T[K];
};

/** Where a model runs: in its own supervised child process, or in the calling process. */
export type IsolationMode = 'process' | 'none';
