import { HttpError } from '@model-loader/fastify';
import type { FastifyRequest } from 'fastify';

/** The kind of file a route takes; decides which media types it accepts. */
export type UploadKind = 'audio' | 'image';

/** A file read from a request, with the form's text fields. */
export interface Upload {
  readonly bytes: Buffer;
  /** Media type the client declared for the file (may be empty). */
  readonly mediaType: string;
  /** Text fields of the multipart form (empty for a raw body). */
  readonly fields: Readonly<Record<string, string>>;
}

/** Where and how much a route reads. */
export interface UploadRule {
  readonly kind: UploadKind;
  /** Name of the multipart file field. */
  readonly fileField: string;
  readonly maxUploadBytes: number;
}

const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 16 * 1024;

const acceptedTypes: Record<UploadKind, RegExp> = {
  // Containers like WebM and MP4 are sent as video/* by browsers; OGG sometimes as application/ogg.
  audio: /^(audio\/|video\/|application\/(octet-stream|ogg)$)/,
  image: /^(image\/|application\/octet-stream$)/,
};

/** True when `mediaType` (without parameters) may carry an upload of `kind`; empty means unknown. */
export function acceptsMediaType(kind: UploadKind, mediaType: string): boolean {
  const type = mediaType.split(';')[0]!.trim().toLowerCase();
  return type === '' || acceptedTypes[kind].test(type);
}

function unsupported(rule: UploadRule, mediaType: string): HttpError {
  return new HttpError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Content type ${mediaType || '(none)'} is not accepted: send multipart/form-data with the ${rule.kind} in the file field "${rule.fileField}"${rule.kind === 'audio' ? ', or the raw audio with an audio/* content type' : ', or the raw image with an image/* content type'}`,
  );
}

/** Maps @fastify/multipart's limit errors to messages that name the limit. */
function multipartError(error: unknown, rule: UploadRule): unknown {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new HttpError(
        'PAYLOAD_TOO_LARGE',
        `The uploaded file is larger than the limit of ${rule.maxUploadBytes} bytes`,
        { cause: error },
      );
    case 'FST_FILES_LIMIT':
      return new HttpError(
        'PAYLOAD_TOO_LARGE',
        `Send exactly one file (the field "${rule.fileField}")`,
        { cause: error },
      );
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new HttpError(
        'PAYLOAD_TOO_LARGE',
        `The form has too many fields; at most ${MAX_FIELDS} are read`,
        { cause: error },
      );
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
      return new HttpError(
        'REQUEST_INVALID',
        `The multipart form is invalid: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    default:
      // busboy reports a malformed body (no boundary, broken part headers) as a plain Error.
      if (error instanceof Error && !('statusCode' in error) && !HttpError.isInstance(error)) {
        return new HttpError('REQUEST_INVALID', `The multipart form is invalid: ${error.message}`, {
          cause: error,
        });
      }
      return error;
  }
}

async function readMultipart(request: FastifyRequest, rule: UploadRule): Promise<Upload> {
  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; mediaType: string } | undefined;
  let refusal: HttpError | undefined;
  try {
    const parts = request.parts({
      limits: {
        fileSize: rule.maxUploadBytes,
        files: 1,
        fields: MAX_FIELDS,
        fieldSize: MAX_FIELD_BYTES,
        parts: MAX_FIELDS + 1,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated) {
          refusal ??= new HttpError(
            'PAYLOAD_TOO_LARGE',
            `The field "${part.fieldname}" is longer than ${MAX_FIELD_BYTES} bytes`,
          );
        }
        fields[part.fieldname] = String(part.value);
        continue;
      }
      // Every file part must be consumed for the form to go on.
      const bytes = await part.toBuffer();
      if (part.fieldname !== rule.fileField) {
        refusal ??= new HttpError(
          'REQUEST_INVALID',
          `Unexpected file field "${part.fieldname}": send the ${rule.kind} in the field "${rule.fileField}"`,
        );
      } else if (!acceptsMediaType(rule.kind, part.mimetype)) {
        refusal ??= unsupported(rule, part.mimetype);
      } else {
        file = { bytes, mediaType: part.mimetype };
      }
    }
  } catch (error) {
    throw multipartError(error, rule);
  }
  if (refusal) throw refusal;
  if (!file) {
    throw new HttpError(
      'REQUEST_INVALID',
      `No file in the form: send the ${rule.kind} in the multipart file field "${rule.fileField}"`,
    );
  }
  return { ...file, fields };
}

/**
 * Reads the upload of a request: a multipart form with one file in `rule.fileField` (and text
 * fields), or a raw body with an audio/image content type. Limits are enforced while reading.
 * @throws HttpError REQUEST_INVALID (400), PAYLOAD_TOO_LARGE (413), UNSUPPORTED_MEDIA_TYPE (415)
 */
export async function readUpload(request: FastifyRequest, rule: UploadRule): Promise<Upload> {
  if (request.isMultipart()) return readMultipart(request, rule);
  const mediaType = request.headers['content-type'] ?? '';
  if (Buffer.isBuffer(request.body) && acceptsMediaType(rule.kind, mediaType) && mediaType !== '') {
    return { bytes: request.body, mediaType, fields: {} };
  }
  throw unsupported(rule, mediaType);
}
