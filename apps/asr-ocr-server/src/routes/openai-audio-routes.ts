import type { WhisperTranscription } from '@model-loader/adapter-whisper';
import { HttpError } from '@model-loader/fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { readUpload } from '../uploads/read-upload.js';
import { toSegments, toSrt, toVtt } from './format-transcription.js';
import { FieldError, UnsupportedFieldError } from './openai-error-handler.js';
import { keepAlive, language } from './parse-fields.js';
import { pickModel } from './pick-model.js';
import type { AppRouteContext } from './route-context.js';
import { transcribe } from './transcribe.js';

/** OpenAI's model name, answered by the default speech model. */
export const OPENAI_WHISPER_ALIAS = 'whisper-1';

const common = {
  model: z.string({ message: 'is required (a speech model, or whisper-1)' }).min(1),
  /** Refused unless empty: Whisper prompting is not supported by transformers.js here. */
  prompt: z.string().max(4096).optional(),
  response_format: z.enum(['json', 'text', 'verbose_json', 'srt', 'vtt']).default('json'),
  /** Decoding is greedy: 0 (OpenAI's default) is accepted, more is refused. */
  temperature: z.coerce.number().min(0).max(1).optional(),
  /** Not OpenAI's: Ollama's `keep_alive`, how long the model stays loaded after this request. */
  keep_alive: keepAlive.optional(),
};

const transcriptionFields = z.strictObject({
  ...common,
  language: language.optional(),
  'timestamp_granularities[]': z
    .enum(['segment'], { message: 'only "segment" timestamps are supported' })
    .optional(),
  stream: z.enum(['false'], { message: 'streaming is not supported' }).optional(),
});

/** OpenAI's translations take no `language`: the output is English. */
const translationFields = z.strictObject(common);

/**
 * Validates the form fields.
 * @throws FieldError REQUEST_INVALID naming the first bad field
 * @throws UnsupportedFieldError for `prompt` or a `temperature` above 0
 */
function parseAudioFields<T extends typeof transcriptionFields | typeof translationFields>(
  schema: T,
  fields: Readonly<Record<string, unknown>>,
): z.output<T> {
  const result = schema.safeParse(fields);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      throw new FieldError('REQUEST_INVALID', `Invalid request: unknown field \`${key}\``, key);
    }
    const param = issue?.path.join('.') ?? 'file';
    throw new FieldError(
      'REQUEST_INVALID',
      `Invalid request: \`${param}\` ${issue?.message}`,
      param,
    );
  }
  const data = result.data as z.output<T>;
  if (data.prompt) {
    throw new UnsupportedFieldError(
      '`prompt` is not supported: the Whisper pipeline here takes no prompt.',
      'prompt',
    );
  }
  if (data.temperature !== undefined && data.temperature > 0) {
    throw new UnsupportedFieldError(
      '`temperature` above 0 is not supported: decoding is greedy (temperature 0, the default).',
      'temperature',
    );
  }
  return data;
}

function answer(
  reply: FastifyReply,
  task: 'transcribe' | 'translate',
  format: z.output<typeof translationFields>['response_format'],
  result: WhisperTranscription,
) {
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
        task,
        language: result.language ?? 'en',
        duration: result.durationInSeconds,
        text: result.text,
        segments: toSegments(result),
      };
  }
}

/**
 * `POST /v1/audio/transcriptions` and `POST /v1/audio/translations`, compatible with OpenAI's API
 * and its clients: multipart `file`, `model` (`whisper-1` or a speech model's name), `language`
 * (transcriptions only; translations write English), `response_format` (`json`, `text`,
 * `verbose_json`, `srt`, `vtt`). Errors answer in OpenAI's shape (see the error handler); a
 * model that is not loaded answers 503 with Retry-After; a translation on an English-only model
 * answers 400.
 */
export function registerOpenAiAudioRoutes(app: FastifyInstance, context: AppRouteContext): void {
  for (const task of ['transcribe', 'translate'] as const) {
    const url = task === 'transcribe' ? '/v1/audio/transcriptions' : '/v1/audio/translations';
    app.post(url, async (request, reply) => {
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
      const fields =
        task === 'transcribe'
          ? parseAudioFields(transcriptionFields, upload.fields)
          : parseAudioFields(translationFields, upload.fields);
      const name = pickModel('speech', context.speechModels, fields.model, 'whisper', [
        OPENAI_WHISPER_ALIAS,
      ]);
      const format = fields.response_format;
      const timed = format === 'verbose_json' || format === 'srt' || format === 'vtt';
      const result = await transcribe(app, reply, name, upload.bytes, {
        language: 'language' in fields ? (fields.language as string | undefined) : undefined,
        task,
        returnTimestamps: timed,
        keepAlive: fields.keep_alive,
      });
      return answer(reply, task, format, result);
    });
  }
}
