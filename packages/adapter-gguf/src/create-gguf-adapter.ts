import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  ADAPTER_SPEC_VERSION,
  formatIssues,
  type ModelAdapter,
  type ModelInspection,
  ModelLoaderError,
  silentLogger,
} from '@model-loader/core';
import type { Llama, LlamaModel } from 'node-llama-cpp';
import {
  type GgufAdapterSettings,
  type GgufLoadOptions,
  ggufAdapterSettingsSchema,
  ggufLoadOptionsSchema,
  type ResolvedGgufSettings,
  resolveGgufSettings,
} from './gguf-adapter-settings.js';
import { isSplitGguf, toGgufFileInfo } from './gguf-file-info.js';
import { createGgufModelHandle, type GgufModelHandle } from './gguf-model-handle.js';
import { importNodeLlamaCpp } from './import-node-llama-cpp.js';
import { captureLlamaLog, pickLoadFailureReason } from './llama-log-capture.js';
import type { GgufSummary } from './preflight/gguf-summary.js';
import {
  type GgufHeaderRead,
  ggufFingerprint,
  readGgufHeader,
} from './preflight/inspect-gguf-file.js';

/** Summaries kept for `load`, at most this many (oldest dropped first). */
const MAX_KEPT_SUMMARIES = 16;

/** The GGUF adapter: `ModelAdapter<GgufModelHandle, GgufLoadOptions>` plus its Llama instance. */
export interface GgufAdapter extends ModelAdapter<GgufModelHandle, GgufLoadOptions> {
  /** The node-llama-cpp `Llama` instance, created on first use unless one was injected. */
  getLlama(): Promise<Llama>;
}

/** Error given as `cause` of MODEL_LOAD_FAILED: node-llama-cpp's error plus llama.cpp's log lines. */
export class LlamaLoadError extends Error {
  override readonly name = 'LlamaLoadError';
  constructor(
    message: string,
    /** llama.cpp's warning and error lines logged during the load, `level: text`. */
    readonly llamaLog: readonly string[],
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

function parseOptions(options: GgufLoadOptions | undefined): GgufLoadOptions {
  const parsed = ggufLoadOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid GGUF load options: ${formatIssues(parsed.error.issues)}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

/**
 * Creates the GGUF adapter for `@model-loader/core`: a TypeScript preflight (`inspect`) that rejects
 * files that could crash llama.cpp, a memory estimate from node-llama-cpp's GgufInsights, and a
 * loader returning a `GgufModelHandle`. node-llama-cpp is imported on first use, and never builds
 * llama.cpp from source (`build: 'never'`).
 */
export function createGgufAdapter(settings: GgufAdapterSettings = {}): GgufAdapter {
  const parsed = ggufAdapterSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid GGUF adapter settings: ${formatIssues(parsed.error.issues)}`,
      { cause: parsed.error },
    );
  }
  const base = parsed.data as GgufAdapterSettings;
  const logger = base.logger ?? silentLogger;
  let llamaPromise: Promise<Llama> | undefined;

  const getLlama = (): Promise<Llama> => {
    llamaPromise ??= (async () => {
      if (base.llama) return base.llama;
      const library = await importNodeLlamaCpp();
      const resolved = resolveGgufSettings(base);
      try {
        return await library.getLlama({
          build: 'never',
          gpu: resolved.gpu,
          maxThreads: resolved.threadCount,
          logLevel: library.LlamaLogLevel.warn,
          logger: (level, message) => {
            const text = message.trim();
            if (!text) return;
            if (level === 'error' || level === 'fatal') logger.error({ source: 'llama.cpp' }, text);
            else logger.warn({ source: 'llama.cpp' }, text);
          },
        });
      } catch (cause) {
        throw new ModelLoaderError(
          'MODEL_LOAD_FAILED',
          "node-llama-cpp found no usable prebuilt llama.cpp binary for this machine, and building from source is refused (`build: 'never'`): install node-llama-cpp@3.21.1 with its platform package, or pass a `llama` instance",
          { cause, isRetryable: false },
        );
      }
    })().catch((error: unknown) => {
      llamaPromise = undefined;
      throw error;
    });
    return llamaPromise;
  };

  // `estimateMemory` gets the inspection `inspect` returned for the same file: the header parsed
  // for it is found here by that object, so the estimate needs neither a second parse nor
  // node-llama-cpp's `readGgufFileInfo`. Held only as long as the engine holds the inspection.
  const inspectedHeaders = new WeakMap<ModelInspection, GgufHeaderRead>();
  // The summary of each file checked, kept for `load` (which needs the longest token to bound
  // prompts): a small map, so `load` re-reads the header only for a file changed since `inspect`.
  const summaries = new Map<string, { fingerprint: string; summary: GgufSummary }>();
  const keepSummary = (path: string, read: GgufHeaderRead) => {
    summaries.delete(path);
    summaries.set(path, { fingerprint: read.fingerprint, summary: read.header.summary });
    if (summaries.size > MAX_KEPT_SUMMARIES) {
      const oldest = summaries.keys().next().value;
      if (oldest !== undefined) summaries.delete(oldest);
    }
  };
  const readAndKeep = async (path: string, signal?: AbortSignal) => {
    const read = await readGgufHeader(path, signal);
    keepSummary(path, read);
    return read;
  };
  const headerFor = async (path: string, inspection: ModelInspection | undefined) => {
    const inspected = inspection && inspectedHeaders.get(inspection);
    // The file may have been replaced since `inspect`: its size, mtime and inode tell.
    if (inspected && inspected.fingerprint === ggufFingerprint(await stat(path))) return inspected;
    return readAndKeep(path);
  };
  const summaryFor = async (path: string, signal: AbortSignal) => {
    const known = summaries.get(path);
    if (known && known.fingerprint === ggufFingerprint(await stat(path))) return known.summary;
    return (await readAndKeep(path, signal)).header.summary;
  };

  const contextSizeFor = (resolved: ResolvedGgufSettings, trainContextSize: number) =>
    resolved.contextSize ?? Math.min(trainContextSize, 4096);

  // A model process builds its own Llama and logs through the engine: only plain settings cross.
  const { llama: _llama, logger: _logger, ...plainSettings } = base;
  return {
    name: 'gguf',
    specVersion: ADAPTER_SPEC_VERSION,
    format: 'gguf',
    kind: 'file',
    getLlama,
    processEntry: {
      module: '@model-loader/adapter-gguf',
      from: import.meta.url,
      exportName: 'createGgufAdapter',
      settings: plainSettings,
      streamingMethods: ['streamComplete', 'streamChat'],
    },

    async inspect(path, signal) {
      const read = await readAndKeep(path, signal);
      const summary = read.header.summary;
      const details: Record<string, string | number | boolean> = {};
      for (const [key, value] of Object.entries(summary)) {
        if (typeof value === 'string' || typeof value === 'number') details[key] = value;
      }
      const inspection: ModelInspection = { format: `GGUF v${summary.version}`, details };
      inspectedHeaders.set(inspection, read);
      return inspection;
    },

    async estimateMemory(path, options, inspection) {
      const resolved = resolveGgufSettings(base, parseOptions(options));
      const library = await importNodeLlamaCpp();
      const llama = await getLlama();
      const { header } = await headerFor(path, inspection);
      const info = isSplitGguf(header)
        ? await library.readGgufFileInfo(path, { readTensorInfo: true }).catch((error: unknown) => {
            // A part of a split model that is not there: a coded error naming the part.
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
            const missing = basename((error as NodeJS.ErrnoException).path ?? '');
            throw new ModelLoaderError(
              'MODEL_FILE_NOT_FOUND',
              `Part ${missing} of the split GGUF model ${basename(path)} does not exist`,
              { path, cause: error },
            );
          })
        : toGgufFileInfo(header, path);
      const insights = await library.GgufInsights.from(info, llama);
      const gpuLayers =
        llama.gpu === false
          ? 0
          : typeof resolved.gpuLayers === 'number'
            ? resolved.gpuLayers
            : insights.totalLayers;
      const model = insights.estimateModelResourceRequirements({ gpuLayers });
      const context = insights.estimateContextResourceRequirements({
        contextSize: contextSizeFor(resolved, insights.trainContextSize ?? 4096),
        modelGpuLayers: gpuLayers,
        sequences: resolved.parallelSequences,
        ...(resolved.batchSize === undefined ? {} : { batchSize: resolved.batchSize }),
      });
      return model.cpuRam + model.gpuVram + context.cpuRam + context.gpuVram;
    },

    async load(path, options, context) {
      const resolved = resolveGgufSettings(base, parseOptions(options));
      // The preflight again when the file changed since `inspect` (or `inspect` was skipped): no
      // file reaches llama.cpp unchecked.
      const summary = await summaryFor(path, context.signal);
      const library = await importNodeLlamaCpp();
      const llama = await getLlama();
      const capture = captureLlamaLog(llama);
      let model: LlamaModel | undefined;
      try {
        model = await llama.loadModel({
          modelPath: path,
          gpuLayers: resolved.gpuLayers,
          ...(resolved.useMmap === undefined ? {} : { useMmap: resolved.useMmap }),
          useMlock: resolved.useMlock,
          loadSignal: context.signal,
          onLoadProgress: (progress) =>
            context.onProgress({ step: 'load', done: progress, total: 1 }),
        });
        const llamaContext = await model.createContext({
          contextSize: contextSizeFor(resolved, model.trainContextSize),
          sequences: resolved.parallelSequences,
          threads: resolved.threadCount,
          createSignal: context.signal,
          ...(resolved.batchSize === undefined ? {} : { batchSize: resolved.batchSize }),
        });
        // Waiting for late log lines (capture.stop) only matters when there is a failure to explain.
        capture.discard();
        return createGgufModelHandle({
          library,
          llama,
          model,
          context: llamaContext,
          maxQueuedRequests: resolved.maxQueuedRequests,
          longestTokenInBytes: summary.longestTokenInBytes,
          ...(resolved.threadCount === undefined ? {} : { threads: resolved.threadCount }),
        });
      } catch (error) {
        const lines = await capture.stop();
        await model?.dispose().catch(() => {});
        if (context.signal.aborted) throw error;
        const fileName = basename(path);
        const scrub = (text: string) => text.split(path).join(fileName);
        const reason =
          pickLoadFailureReason(lines) ?? (error instanceof Error ? error.message : String(error));
        context.logger.error(
          { model: context.modelName, llamaLog: lines.map(scrub) },
          'llama.cpp failed to load the model',
        );
        throw new ModelLoaderError(
          'MODEL_LOAD_FAILED',
          `llama.cpp could not load the model: ${scrub(reason)}`,
          {
            modelName: context.modelName,
            path,
            cause: new LlamaLoadError(
              error instanceof Error ? error.message : String(error),
              lines.map(scrub),
              {
                cause: error,
              },
            ),
          },
        );
      }
    },

    async dispose(handle) {
      await handle.dispose();
    },
  };
}
