import { ModelLoaderError } from '../errors/model-loader-error.js';

/** Options of {@link createOptionalModuleImport}. */
export interface OptionalModuleImportOptions<TModule, TValue> {
  /** npm name of the package, shown in the error (`node-llama-cpp`). */
  readonly packageName: string;
  /** The package that needs it, for the hint (`@model-loader/adapter-gguf`). */
  readonly requiredBy: string;
  /** Imports the module: `() => import('node-llama-cpp')`, so bundlers and TypeScript see the name. */
  readonly importModule: () => Promise<TModule>;
  /** Picks or prepares what callers get (a default export, a configured library). @default the module */
  readonly select?: (module: TModule) => TValue;
  /** An extra sentence for the error, such as another way to provide the runtime. */
  readonly hint?: string;
}

/**
 * Returns a function that imports an optional, usually native, runtime package on first call and
 * memoises the promise, so importing an adapter loads no native code. A failed import rejects with
 * `RUNTIME_NOT_INSTALLED` (never retried: a missing package stays missing until the process
 * restarts) and is forgotten, so a call after installing the package imports again.
 */
export function createOptionalModuleImport<TModule, TValue = TModule>(
  options: OptionalModuleImportOptions<TModule, TValue>,
): () => Promise<TValue> {
  let promise: Promise<TValue> | undefined;
  return () => {
    promise ??= options.importModule().then(
      (module) => (options.select ? options.select(module) : (module as unknown as TValue)),
      (cause: unknown) => {
        promise = undefined;
        throw runtimeNotInstalled(options, cause);
      },
    );
    return promise;
  };
}

function runtimeNotInstalled(
  options: Pick<
    OptionalModuleImportOptions<unknown, unknown>,
    'packageName' | 'requiredBy' | 'hint'
  >,
  cause: unknown,
): ModelLoaderError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const hint = options.hint ? ` ${options.hint}` : '';
  return new ModelLoaderError(
    'RUNTIME_NOT_INSTALLED',
    `Cannot import ${options.packageName}: ${firstLine(reason)}. Install it next to ${options.requiredBy} (\`pnpm add ${options.packageName}\`) with its prebuilt binary for this platform.${hint}`,
    { cause, isRetryable: false },
  );
}

// Node's "Cannot find package" message lists the importing file's absolute path on later lines.
function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
