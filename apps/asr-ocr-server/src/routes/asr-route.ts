import { createErrorHandler } from '@model-loader/fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readUpload } from '../uploads/read-upload.js';
import { flag, keepAlive, language, modelName, parseFields } from './parse-fields.js';
import { pickModel } from './pick-model.js';
import type { AppRouteContext } from './route-context.js';
import { seedErrors } from './seed-error-handler.js';
import { transcribe } from './transcribe.js';

const asrFields = z.strictObject({
  /** A speech model of the models file; default: the first. */
  model: modelName.optional(),
  language: language.optional(),
  task: z.enum(['transcribe', 'translate']).optional(),
  /** Return `chunks` with start and end times. */
  timestamps: flag.optional(),
  keep_alive: keepAlive.optional(),
});

/**
 * `POST /asr`: the audio as the multipart file field `audio` (or the raw body with an audio/*
 * content type), options `model`, `language`, `task`, `timestamps` as form fields or query
 * parameters. Answers the seed's shape `{ success, text, chunks?, language?, durationInSeconds }`.
 */
export function registerAsrRoute(app: FastifyInstance, context: AppRouteContext): void {
  app.post('/asr', { errorHandler: createErrorHandler(seedErrors) }, async (request, reply) => {
    const upload = await readUpload(request, {
      kind: 'audio',
      fileField: 'audio',
      maxUploadBytes: context.uploads.maxUploadBytes,
    });
    const query = (request.query ?? {}) as Record<string, unknown>;
    const options = parseFields(asrFields, { ...query, ...upload.fields });
    const name = pickModel('speech', context.speechModels, options.model, 'whisper');
    const result = await transcribe(app, reply, name, upload.bytes, {
      language: options.language,
      task: options.task,
      returnTimestamps: options.timestamps,
      keepAlive: options.keep_alive,
    });
    return {
      success: true,
      text: result.text,
      ...(result.chunks ? { chunks: result.chunks } : {}),
      ...(result.language === undefined ? {} : { language: result.language }),
      durationInSeconds: result.durationInSeconds,
    };
  });
}
