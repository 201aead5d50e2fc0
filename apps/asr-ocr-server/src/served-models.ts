import type { OcrModel } from '@model-loader/adapter-ocr';
import type { WhisperModel } from '@model-loader/adapter-whisper';
import type { Remote } from '@model-loader/core';

/** A Whisper model as `app.models.run` hands it over (`Remote` covers both isolations). */
export type ServedSpeechModel = Remote<WhisperModel>;
/** An OCR model as `app.models.run` hands it over. */
export type ServedOcrModel = Remote<OcrModel>;
/** Any model of this server: the models file mixes both adapters under names known at run time. */
export type ServedModel = ServedSpeechModel | ServedOcrModel;

declare module '@model-loader/fastify' {
  interface ModelLoaderRegister {
    models: Record<string, ServedModel>;
  }
}

/**
 * The model as a Whisper model, checked by its methods (the routes pick names by adapter, so a
 * mismatch is the server's bug: a 500, logged).
 */
export function asSpeechModel(model: ServedModel, name: string): ServedSpeechModel {
  if ('transcribe' in model) return model;
  throw new Error(`Model '${name}' is not a speech model`);
}

/** The model as an OCR model, checked by its methods. */
export function asOcrModel(model: ServedModel, name: string): ServedOcrModel {
  if ('recognize' in model) return model;
  throw new Error(`Model '${name}' is not an OCR model`);
}
