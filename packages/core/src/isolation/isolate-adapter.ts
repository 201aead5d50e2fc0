import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { Logger } from '../spec/logger.js';
import type { ModelAdapter } from '../spec/model-adapter.js';
import { createRemoteHandle, modelProcessOf } from './create-remote-handle.js';
import type { HandleDescription } from './ipc-protocol.js';
import { ModelProcess, type ModelProcessTimeouts } from './model-process.js';
import type { Remote } from './model-process-entry.js';

/** Options of {@link isolateAdapter}. */
export interface IsolateAdapterOptions extends ModelProcessTimeouts {
  /** Name of the model, for logs and errors. */
  readonly modelName: string;
  readonly logger: Logger;
  /** Time limit of `estimateMemory` in its process (its start and runtime import included). @default 60000 */
  readonly estimateTimeoutInMs?: number;
  /** Extra `execArgv` for the model processes. */
  readonly execArgv?: readonly string[];
  /** A process started by `estimateMemory` waits this long for its `load`. @default 30000 */
  readonly spareIdleInMs?: number;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Wraps an adapter that has a `processEntry` so that `estimateMemory` and `load` run in a child
 * process (`load` keeps its process for the model's life) and the loaded model is a {@link Remote}
 * proxy. The TypeScript preflight (`inspect`) stays in the parent: it decides whether a process
 * starts at all. An abort (timeout, unload) kills the loading process.
 * @throws ModelLoaderError CONFIG_INVALID when the adapter has no `processEntry`
 */
export function isolateAdapter<TModel, TOptions>(
  adapter: ModelAdapter<TModel, TOptions>,
  options: IsolateAdapterOptions,
): ModelAdapter<Remote<TModel>, TOptions> {
  const entry = adapter.processEntry;
  if (!entry) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Model '${options.modelName}': its adapter cannot run in a process of its own (it has no \`processEntry\`); set \`isolation: 'none'\``,
      { modelName: options.modelName },
    );
  }
  const start = async (): Promise<ModelProcess> => {
    const child = new ModelProcess({
      modelName: options.modelName,
      logger: options.logger,
      ...(options.heartbeatIntervalInMs === undefined
        ? {}
        : { heartbeatIntervalInMs: options.heartbeatIntervalInMs }),
      ...(options.unresponsiveAfterInMs === undefined
        ? {}
        : { unresponsiveAfterInMs: options.unresponsiveAfterInMs }),
      ...(options.killGraceInMs === undefined ? {} : { killGraceInMs: options.killGraceInMs }),
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
    });
    try {
      await child.request({ op: 'init', entry });
      return child;
    } catch (error) {
      await child.stop();
      throw error;
    }
  };

  // The process that ran `estimateMemory` is kept for the `load` that follows (the engine calls
  // them back to back): one process start per load instead of two.
  let spare: { path: string; child: ModelProcess; timer: NodeJS.Timeout } | undefined;
  const takeSpare = (path: string): ModelProcess | undefined => {
    const kept = spare;
    spare = undefined;
    if (!kept) return undefined;
    clearTimeout(kept.timer);
    if (kept.path === path && kept.child.alive) return kept.child;
    void kept.child.stop();
    return undefined;
  };
  const keepSpare = (path: string, child: ModelProcess) => {
    takeSpare('');
    const timer = setTimeout(() => {
      if (spare?.child === child) takeSpare('');
    }, options.spareIdleInMs ?? 30_000);
    timer.unref();
    spare = { path, child, timer };
  };

  const isolated: ModelAdapter<Remote<TModel>, TOptions> = {
    kind: adapter.kind,
    processEntry: entry,
    ...(adapter.name === undefined ? {} : { name: adapter.name }),
    ...(adapter.specVersion === undefined ? {} : { specVersion: adapter.specVersion }),
    ...(adapter.format ? { format: adapter.format } : {}),
    ...(adapter.requiredFiles ? { requiredFiles: adapter.requiredFiles } : {}),
    ...(adapter.inspect ? { inspect: adapter.inspect.bind(adapter) } : {}),

    async load(path, loadOptions, context) {
      context.signal.throwIfAborted();
      const child = takeSpare(path) ?? (await start());
      const onAbort = () => void child.kill('the load was aborted');
      context.signal.addEventListener('abort', onAbort, { once: true });
      let description: HandleDescription;
      try {
        description = (await child.request(
          {
            op: 'load',
            path,
            options: loadOptions,
            modelName: context.modelName,
            attempt: context.attempt,
          },
          { signal: context.signal, onProgress: context.onProgress },
        )) as HandleDescription;
      } catch (error) {
        await child.stop();
        if (context.signal.aborted) throw abortError(context.signal);
        throw error;
      } finally {
        context.signal.removeEventListener('abort', onAbort);
      }
      let disposing: Promise<void> | undefined;
      const dispose = () => {
        disposing ??= (async () => {
          // A dispose that hangs in native code is cut short: stop() kills after the grace period.
          await Promise.race([
            child.request({ op: 'dispose' }).catch(() => {}),
            new Promise((resolve) => setTimeout(resolve, options.killGraceInMs ?? 3000).unref()),
          ]);
          await child.stop();
        })();
        return disposing;
      };
      child.onExit((exit, error) => {
        if (exit.expected || disposing) return;
        context.logger.error(
          { model: context.modelName, pid: exit.pid, signal: exit.signal, code: exit.code },
          error.message,
        );
        context.onModelFailed?.(error);
      });
      return createRemoteHandle(
        child,
        description,
        entry.streamingMethods ?? [],
        dispose,
      ) as Remote<TModel>;
    },

    dispose(model) {
      return (model as unknown as { dispose(): Promise<void> }).dispose();
    },
  };

  if (adapter.estimateMemory) {
    isolated.estimateMemory = async (path, estimateOptions, inspection) => {
      const child = await start();
      const timeoutInMs = options.estimateTimeoutInMs ?? 60_000;
      const timer = setTimeout(
        () => void child.kill(`estimateMemory ran longer than ${timeoutInMs} ms`),
        timeoutInMs,
      );
      try {
        const bytes = (await child.request({
          op: 'estimate',
          path,
          options: estimateOptions,
          ...(inspection === undefined ? {} : { inspection }),
        })) as number;
        keepSpare(path, child);
        return bytes;
      } catch (error) {
        await child.stop();
        throw error;
      } finally {
        clearTimeout(timer);
      }
    };
  }
  return isolated;
}

/** Ends the process of an isolated model (for tests and tools); no-op for in-process models. */
export async function stopModelProcess(handle: unknown): Promise<void> {
  await modelProcessOf(handle)?.stop();
}
