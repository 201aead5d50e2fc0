import { formatIssues, ModelLoaderError } from '@model-loader/core';
import { type PreparedAudio, prepareAudio, type WhisperAudioInput } from './decode-audio.js';
import {
  type ResolvedWhisperSettings,
  transcriptionOptionsSchema,
  type WhisperTranscriptionOptions,
} from './whisper-settings.js';

/** One segment of a transcript with timestamps. */
export interface WhisperChunk {
  readonly text: string;
  readonly startInSeconds: number | null;
  /** `null` when the model did not close the segment (for example at the end of a window). */
  readonly endInSeconds: number | null;
}

/** The result of `transcribe`. */
export interface WhisperTranscription {
  readonly text: string;
  /** Segments with times, when `returnTimestamps` is on. */
  readonly chunks?: readonly WhisperChunk[];
  /**
   * Language the model was prompted with (multilingual models). transformers.js does not run
   * Whisper's language detection: without a `language` the prompt is English.
   */
  readonly language?: string;
  /** Length of the audio after decoding. */
  readonly durationInSeconds: number;
}

/** Options of one `transcribe` call. */
export interface TranscribeOptions extends WhisperTranscriptionOptions {
  /** Stops the transcription between two decoding steps; the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A loaded Whisper model (what `ModelLoader.get` returns for this adapter). */
export interface WhisperModel {
  /** Transcribes (or translates) audio. */
  transcribe(audio: WhisperAudioInput, options?: TranscribeOptions): Promise<WhisperTranscription>;
  /** Whether the model takes a language and task (multilingual) or is English-only. */
  readonly multilingual: boolean;
  /** Frees the onnxruntime sessions; `transcribe` fails afterwards. */
  dispose(): Promise<void>;
}

/** The parts of a transformers.js ASR pipeline this handle uses. */
export interface SpeechPipeline {
  (audio: Float32Array, options: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<void>;
  readonly model: { readonly generation_config?: { readonly is_multilingual?: boolean | null } };
}

interface PipelineOutput {
  text: string;
  chunks?: { text: string; timestamp: [number | null, number | null] }[];
}

/** Wraps a loaded pipeline as a `WhisperModel`. */
export function createWhisperModel(
  speech: SpeechPipeline,
  settings: ResolvedWhisperSettings,
  modelOptions: WhisperTranscriptionOptions,
): WhisperModel {
  const multilingual = speech.model.generation_config?.is_multilingual === true;
  let disposed = false;

  const resolveOptions = (options: TranscribeOptions) => {
    const { signal: _signal, ...rest } = options;
    const parsed = transcriptionOptionsSchema.safeParse(rest);
    if (!parsed.success) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `Invalid transcription options: ${formatIssues(parsed.error.issues)}`,
        { cause: parsed.error },
      );
    }
    return { ...settings, ...stripUndefined(modelOptions), ...stripUndefined(parsed.data) };
  };

  return {
    multilingual,
    async transcribe(audio, options = {}) {
      if (disposed) {
        throw new ModelLoaderError('MODEL_NOT_AVAILABLE', 'The Whisper model has been disposed');
      }
      const signal = options.signal;
      signal?.throwIfAborted();
      const resolved = resolveOptions(options);
      const prepared: PreparedAudio = await prepareAudio(audio, settings);
      signal?.throwIfAborted();

      const kwargs: Record<string, unknown> = {
        return_timestamps: resolved.returnTimestamps,
        chunk_length_s: resolved.chunkLengthInSeconds,
      };
      if (resolved.strideLengthInSeconds !== undefined) {
        kwargs.stride_length_s = resolved.strideLengthInSeconds;
      }
      if (resolved.maxNewTokens !== undefined) kwargs.max_new_tokens = resolved.maxNewTokens;
      let language: string | undefined;
      if (multilingual) {
        language = resolved.language ?? 'en';
        kwargs.language = language;
        kwargs.task = resolved.task;
      } else if (resolved.task === 'translate') {
        throw new ModelLoaderError(
          'CONFIG_INVALID',
          '`task` translate needs a multilingual Whisper; this model is English-only',
        );
      } else if (resolved.language !== undefined && !/^(en|english)$/i.test(resolved.language)) {
        throw new ModelLoaderError(
          'CONFIG_INVALID',
          `\`language\` ${resolved.language} needs a multilingual Whisper; this model is English-only`,
        );
      } else {
        language = 'en';
      }
      // transformers.js calls the streamer at every decoding step: the place to honour an abort.
      if (signal) kwargs.streamer = { put: () => signal.throwIfAborted(), end: () => {} };

      const output = (await speech(prepared.samples, kwargs).catch((error: unknown) => {
        throw codedPipelineError(error);
      })) as PipelineOutput;
      const chunks = output.chunks?.map((chunk) => ({
        text: chunk.text,
        startInSeconds: chunk.timestamp[0],
        endInSeconds: chunk.timestamp[1],
      }));
      return {
        text: output.text.trim(),
        ...(resolved.returnTimestamps && chunks ? { chunks } : {}),
        ...(language === undefined ? {} : { language }),
        durationInSeconds: prepared.durationInSeconds,
      };
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await speech.dispose();
    },
  };
}

/**
 * transformers.js (4.3) refuses an unknown `language` with a plain Error that lists Whisper's codes;
 * it is the caller's option that is wrong, so it becomes CONFIG_INVALID.
 */
function codedPipelineError(error: unknown): unknown {
  const unsupported =
    error instanceof Error ? /^Language "(.{0,64})" is not supported/.exec(error.message) : null;
  if (!unsupported) return error;
  return new ModelLoaderError(
    'CONFIG_INVALID',
    `\`language\` ${unsupported[1]} is not supported by this model; use a Whisper language code such as en, de, fr, zh`,
    { cause: error },
  );
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
