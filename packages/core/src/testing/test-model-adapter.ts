import { cp, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTER_SPEC_VERSION } from '../adapter-kit/adapter-spec-version.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import type { IsolationMode, Remote } from '../isolation/model-process-entry.js';
import { ModelLoader } from '../model-loader.js';
import type { ModelAdapter, RequiredFile } from '../spec/model-adapter.js';

/** How an adapter package plugs into the shared suite. */
export interface TestModelAdapterOptions<TModel, TOptions> {
  /** Suite title, usually the adapter's format. */
  readonly name: string;
  readonly adapter: ModelAdapter<TModel, TOptions>;
  /** Writes a valid model into `dir` and returns its path relative to `dir`. */
  readonly createValidModel: (dir: string) => Promise<string>;
  /** Options passed to the loader. */
  readonly options?: TOptions;
  /**
   * Exercises a loaded model (a short inference). It gets the `Remote` view: the suite runs it in
   * process and, for adapters with a `processEntry`, with the model in its own process.
   */
  readonly check?: (model: Remote<TModel>) => Promise<void> | void;
  /** Cases of the adapter's own, run inside the same `describe`. */
  readonly additionalTests?: () => void;
  /** Time limit of each case. @default 60000 */
  readonly timeoutInMs?: number;
}

function requiredPaths(adapter: Pick<ModelAdapter<unknown>, 'requiredFiles'>): string[] {
  return (adapter.requiredFiles ?? []).map((file: string | RequiredFile) =>
    typeof file === 'string' ? file : file.path,
  );
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return ModelLoaderError.isInstance(error) ? error.code : `uncoded: ${String(error)}`;
  }
}

/**
 * The suite every adapter runs (unjs/unstorage's `testDriver` pattern): a valid model loads through the
 * core, is usable and is disposed; a missing, empty or wrongly typed model is rejected with its code
 * before the adapter's `load` runs. It runs once in process and, when the adapter has a
 * `processEntry`, once more with `isolation: 'process'` (the model in a real child process, which
 * ends on unload). `additionalTests` run once.
 */
export function testModelAdapter<TModel, TOptions>(
  options: TestModelAdapterOptions<TModel, TOptions>,
): void {
  runSuite(options, 'none');
  if (options.adapter.processEntry) runSuite({ ...options, additionalTests: undefined }, 'process');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runSuite<TModel, TOptions>(
  options: TestModelAdapterOptions<TModel, TOptions> & {
    additionalTests?: (() => void) | undefined;
  },
  isolation: IsolationMode,
): void {
  const { adapter } = options;
  const timeout = options.timeoutInMs ?? 60_000;
  const title = isolation === 'process' ? `${options.name} (own process)` : options.name;
  describe(`model adapter: ${title}`, () => {
    let root: string;
    let validPath: string;
    let loads = 0;
    const counted: ModelAdapter<TModel, TOptions> = {
      ...adapter,
      load: (path, loadOptions, context) => {
        loads++;
        return adapter.load(path, loadOptions, context);
      },
    };
    const loaderFor = (path: string) => {
      const loader = new ModelLoader({ modelDir: root, isolation }).register({
        name: 'model',
        path,
        adapter: counted,
        ...(options.options === undefined ? {} : { options: options.options }),
      });
      // In its own process the adapter's `load` runs in the child: count the engine's hand-over.
      if (isolation === 'process') {
        loader.on('stateChange', (event) => {
          if (event.to === 'loading') loads++;
        });
      }
      return loader;
    };

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), 'adapter-suite-'));
      validPath = await options.createValidModel(root);
    }, timeout);
    afterAll(() => rm(root, { recursive: true, force: true }));

    it('names itself and the adapter contract version it was written for', () => {
      expect(adapter.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(adapter.specVersion).toBe(ADAPTER_SPEC_VERSION);
    });

    it(
      'loads a valid model through the core, serves it, and disposes it on unload',
      async () => {
        const loader = loaderFor(validPath);
        const model = await loader.load('model');
        expect(loader.getHealthStatus().status).toBe('healthy');
        const info = loader.getModelInfo('model');
        expect(info.isolation).toBe(isolation);
        if (isolation === 'process') {
          expect(info.process?.pid).not.toBe(process.pid);
          expect(info.process?.rssInBytes).toBeGreaterThan(0);
        }
        await options.check?.(model as Remote<TModel>);
        await loader.unload('model');
        expect(loader.getModelInfo('model').state).toBe('unloaded');
        if (info.process) expect(isAlive(info.process.pid)).toBe(false);
        await loader.close();
      },
      timeout,
    );

    if (adapter.inspect) {
      it('inspects a valid model without loading it', async () => {
        const inspection = await adapter.inspect!(
          join(root, validPath),
          new AbortController().signal,
        );
        expect(inspection.format).toEqual(expect.any(String));
      });
    }

    if (adapter.estimateMemory) {
      it('estimates a positive, finite memory size', async () => {
        const bytes = await adapter.estimateMemory!(
          join(root, validPath),
          (options.options ?? {}) as TOptions,
        );
        expect(Number.isFinite(bytes) && bytes > 0).toBe(true);
      });
    }

    it('rejects a missing model with MODEL_FILE_NOT_FOUND before load runs', async () => {
      loads = 0;
      expect(await codeOf(loaderFor('does-not-exist').load('model'))).toBe('MODEL_FILE_NOT_FOUND');
      expect(loads).toBe(0);
    });

    it('rejects an empty model file with MODEL_FILE_EMPTY before load runs', async () => {
      loads = 0;
      const copy = `empty-${options.name}`;
      await cp(join(root, validPath), join(root, copy), { recursive: true });
      const target = adapter.kind === 'file' ? copy : join(copy, requiredPaths(adapter)[0] ?? '');
      await truncate(join(root, target), 0);
      expect(await codeOf(loaderFor(copy).load('model'))).toBe('MODEL_FILE_EMPTY');
      expect(loads).toBe(0);
    });

    if (adapter.kind === 'file' && adapter.format) {
      it('rejects a file of another format with MODEL_FILE_TYPE_MISMATCH before load runs', async () => {
        loads = 0;
        await writeFile(join(root, 'not-a-model.bin'), 'this is text, not weights\n'.repeat(8));
        expect(await codeOf(loaderFor('not-a-model.bin').load('model'))).toBe(
          'MODEL_FILE_TYPE_MISMATCH',
        );
        expect(loads).toBe(0);
      });
    }

    options.additionalTests?.();
  });
}
