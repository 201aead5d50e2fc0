import { HttpError } from '@model-loader/fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readUpload } from '../uploads/read-upload.js';
import { toSegments, toSrt, toVtt } from './format-transcription.js';
import { language, parseFields } from './parse-fields.js';
import { pickModel } from './pick-model.js';
import type { AppRouteContext } from './route-context.js';
import { transcribe } from './transcribe.js';

/** OpenAI's model name, answered by the default speech model. */
export const OPENAI_WHISPER_ALIAS = 'whisper-1';

const transcriptionFields = z.strictObject({
  model: z.string({ message: 'is required (a speech model, or whisper-1)' }).min(1),
  language: language.optional(),
  /** Accepted for compatibility; Whisper prompting is not supported by transformers.js here. */
  prompt: z.string().max(4096).optional(),
  response_format: z.enum(['json', 'text', 'verbose_json', 'srt', 'vtt']).default('json'),
  /** Accepted for compatibility; decoding is greedy (temperature 0). */
  temperature: z.coerce.number().min(0).max(1).optional(),
  'timestamp_granularities[]': z
    .enum(['segment'], { message: 'only "segment" timestamps are supported' })
    .optional(),
  stream: z.enum(['false'], { message: 'streaming is not supported' }).optional(),
});

/**
 * `POST /v1/audio/transcriptions`, compatible with OpenAI's API and its clients: multipart `file`,
 * `model` (`whisper-1` or a speech model's name), `language`, `response_format` (`json`, `text`,
 * `verbose_json`, `srt`, `vtt`). Errors answer `{ error: { code, message } }`; a model that is not
 * loaded answers 503 with Retry-After.
 */
export function registerOpenAiTranscriptionsRoute(
  app: FastifyInstance,
  context: AppRouteContext,
): void {
  app.post('/v1/audio/transcriptions', async (request, reply) => {
    if (!request.isMultipart()) {
      throw new HttpError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content type ${request.headers['content-type'] ?? '(none)'} is not accepted: send multipart/form-data with the audio in the file field "file"`,
      );
    }
    const upload = await readUpload(request, {
      kind: 'audio',
      fileField: 'file',
      maxUploadBytes: context.uploads.maxUploadBytes,
    });
    const fields = parseFields(transcriptionFields, upload.fields);
    const name = pickModel('speech', context.speechModels, fields.model, 'whisper', [
      OPENAI_WHISPER_ALIAS,
    ]);
    const format = fields.response_format;
    const timed = format === 'verbose_json' || format === 'srt' || format === 'vtt';
    const result = await transcribe(app, reply, name, upload.bytes, {
      language: fields.language,
      returnTimestamps: timed,
    });
    switch (format) {
      case 'json':
        return { text: result.text };
      case 'text':
        return reply.type('text/plain; charset=utf-8').send(result.text);
      case 'srt':
        return reply.type('text/plain; charset=utf-8').send(toSrt(toSegments(result)));
      case 'vtt':
        return reply.type('text/vtt; charset=utf-8').send(toVtt(toSegments(result)));
      case 'verbose_json':
        return {
          task: 'transcribe',
          language: result.language ?? 'en',
          duration: result.durationInSeconds,
          text: result.text,
          segments: toSegments(result),
        };
    }
  });
}
