import type { WhisperTranscription } from '@model-loader/adapter-whisper';
import type { KeepAliveInput } from '@model-loader/core';
import { ModelLoaderError } from '@model-loader/core';
import { disconnectSignal, HttpError } from '@model-loader/fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { asSpeechModel } from '../served-models.js';

/** Options a client may set on one transcription. */
export interface SpeechRequestOptions {
  readonly language?: string | undefined;
  readonly task?: 'transcribe' | 'translate' | undefined;
  readonly returnTimestamps?: boolean | undefined;
  /** The request's `keep_alive`. */
  readonly keepAlive?: KeepAliveInput | undefined;
}

/**
 * Transcribes `audio` with model `name` under the model's concurrency limit, queue and timeout;
 * the work stops when the client hangs up. A transcription option the model cannot honour (a
 * translation on an English-only model) is the client's mistake: 400 REQUEST_INVALID.
 */
export async function transcribe(
  app: FastifyInstance,
  reply: FastifyReply,
  name: string,
  audio: Uint8Array,
  options: SpeechRequestOptions,
): Promise<WhisperTranscription> {
  try {
    return await app.models.run(
      name,
      (model, signal) =>
        asSpeechModel(model, name).transcribe(audio, {
          signal,
          ...(options.language === undefined ? {} : { language: options.language }),
          ...(options.task === undefined ? {} : { task: options.task }),
          ...(options.returnTimestamps === undefined
            ? {}
            : { returnTimestamps: options.returnTimestamps }),
        }),
      {
        signal: disconnectSignal(reply),
        ...(options.keepAlive === undefined ? {} : { keepAlive: options.keepAlive }),
      },
    );
  } catch (error) {
    if (ModelLoaderError.isInstance(error) && error.code === 'CONFIG_INVALID') {
      throw new HttpError('REQUEST_INVALID', error.message, { cause: error });
    }
    throw error;
  }
}
