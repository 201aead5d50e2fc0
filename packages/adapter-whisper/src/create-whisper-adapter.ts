import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ADAPTER_SPEC_VERSION,
  fileSystemError,
  formatIssues,
  type LoadContext,
  type ModelAdapter,
  ModelLoaderError,
  type RequiredFile,
} from '@model-loader/core';
import { inspectWhisperFolder, type WhisperFileList } from './inspect-whisper-folder.js';
import { loadTransformers } from './load-transformers.js';
import { createWhisperModel, type SpeechPipeline, type WhisperModel } from './whisper-model.js';
import {
  dtypeSuffix,
  transcriptionOptionsSchema,
  type WhisperAdapterSettings,
  type WhisperTranscriptionOptions,
  whisperSettingsSchema,
} from './whisper-settings.js';

/**
 * Memory a loaded model takes per byte of its ONNX files, plus a fixed overhead. Measured with
 * bench/whisper on the fp32 fixture (RSS growth of the process across a load): see bench/README.md.
 */
export const MEMORY_FACTOR = 1.5;
export const MEMORY_OVERHEAD_IN_BYTES = 48 * 1024 * 1024;

/** The Whisper adapter type: a directory model whose options are per-model transcription defaults. */
export type WhisperAdapter = Omit<
  ModelAdapter<WhisperModel, WhisperTranscriptionOptions>,
  'requiredFiles'
> & {
  readonly requiredFiles: readonly RequiredFile[];
};

function configError(message: string, cause?: unknown): ModelLoaderError {
  return new ModelLoaderError('CONFIG_INVALID', message, cause === undefined ? {} : { cause });
}

/**
 * A directory-kind adapter that loads a Whisper export (transformers.js layout: config and
 * tokenizer JSON files, `onnx/encoder_model*.onnx`, `onnx/decoder_model_merged*.onnx`) with the
 * `automatic-speech-recognition` pipeline of @huggingface/transformers, offline: remote model
 * loading is always off, the model comes from the validated folder or nowhere.
 */
export function createWhisperAdapter(input: WhisperAdapterSettings = {}): WhisperAdapter {
  const parsed = whisperSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw configError(
      `Invalid Whisper adapter settings: ${formatIssues(parsed.error.issues)}`,
      parsed.error,
    );
  }
  const settings = parsed.data;
  const suffix = dtypeSuffix[settings.dtype];
  const files: WhisperFileList = {
    jsonFiles: [
      'config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'preprocessor_config.json',
    ],
    onnxFiles: [`onnx/encoder_model${suffix}.onnx`, `onnx/decoder_model_merged${suffix}.onnx`],
    optionalJsonFiles: ['generation_config.json'],
  };
  const requiredFiles: RequiredFile[] = [
    ...files.jsonFiles.map((path) => ({ path })),
    ...files.onnxFiles.map((path) => ({ path, format: 'onnx' as const })),
  ];

  return {
    name: 'whisper',
    specVersion: ADAPTER_SPEC_VERSION,
    kind: 'directory',
    requiredFiles,
    processEntry: {
      module: '@model-loader/adapter-whisper',
      from: import.meta.url,
      exportName: 'createWhisperAdapter',
      settings,
    },
    inspect: (path, signal) => inspectWhisperFolder(path, files, signal),

    async estimateMemory(path, _options, inspection) {
      // `inspect` summed the ONNX files' sizes already; without it they are read here.
      let bytes = inspection?.details?.onnxSizeInBytes;
      if (typeof bytes !== 'number') {
        bytes = 0;
        for (const file of files.onnxFiles) {
          const onnxPath = join(path, file);
          bytes += (
            await stat(onnxPath).catch((error: unknown) => {
              throw fileSystemError(error, file, onnxPath);
            })
          ).size;
        }
      }
      return Math.round(bytes * MEMORY_FACTOR + MEMORY_OVERHEAD_IN_BYTES);
    },

    async load(path, options, context: LoadContext) {
      const modelOptions = transcriptionOptionsSchema.safeParse(options ?? {});
      if (!modelOptions.success) {
        throw configError(
          `Invalid options of model '${context.modelName}': ${formatIssues(modelOptions.error.issues)}`,
          modelOptions.error,
        );
      }
      context.signal.throwIfAborted();
      const { pipeline } = await loadTransformers();
      context.signal.throwIfAborted();
      context.onProgress({ step: 'load', done: 0, total: files.onnxFiles.length });
      const pending = pipeline('automatic-speech-recognition', path, {
        dtype: settings.dtype,
        device: settings.device,
        local_files_only: true,
        ...(settings.threadCount === undefined
          ? {}
          : { session_options: { intraOpNumThreads: settings.threadCount, interOpNumThreads: 1 } }),
      }) as unknown as Promise<SpeechPipeline>;
      const speech = await abortable(pending, context.signal);
      context.onProgress({
        step: 'load',
        done: files.onnxFiles.length,
        total: files.onnxFiles.length,
      });
      return createWhisperModel(speech, settings, modelOptions.data);
    },

    dispose: (model) => model.dispose(),
  };
}

/** Rejects as soon as `signal` aborts; a pipeline that still arrives afterwards is disposed. */
async function abortable(
  pending: Promise<SpeechPipeline>,
  signal: AbortSignal,
): Promise<SpeechPipeline> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      pending.then((speech) => speech.dispose()).catch(() => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (speech) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        resolve(speech);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        const reason = error instanceof Error ? error.message : String(error);
        reject(
          new ModelLoaderError(
            'MODEL_LOAD_FAILED',
            `transformers.js could not load the Whisper model: ${reason}`,
            {
              cause: error,
            },
          ),
        );
      },
    );
  });
}
