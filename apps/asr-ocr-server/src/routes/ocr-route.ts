import { createErrorHandler, disconnectSignal } from '@model-loader/fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { asOcrModel } from '../served-models.js';
import { readUpload } from '../uploads/read-upload.js';
import { keepAlive, modelName, parseFields } from './parse-fields.js';
import { pickModel } from './pick-model.js';
import type { AppRouteContext } from './route-context.js';
import { seedErrors } from './seed-error-handler.js';

const ocrFields = z.strictObject({
  /** An OCR model of the models file; default: the first. */
  model: modelName.optional(),
  keep_alive: keepAlive.optional(),
});

/**
 * `POST /ocr`: the image (PNG, JPEG, WebP, TIFF) as the multipart file field `image` (or the raw
 * body with an image/* content type). Answers `{ success, text, lines: [{ text, confidence, box }] }`.
 */
export function registerOcrRoute(app: FastifyInstance, context: AppRouteContext): void {
  app.post('/ocr', { errorHandler: createErrorHandler(seedErrors) }, async (request, reply) => {
    const upload = await readUpload(request, {
      kind: 'image',
      fileField: 'image',
      maxUploadBytes: context.uploads.maxUploadBytes,
    });
    const query = (request.query ?? {}) as Record<string, unknown>;
    const options = parseFields(ocrFields, { ...query, ...upload.fields });
    const name = pickModel('OCR', context.ocrModels, options.model, 'ocr');
    const result = await app.models.run(
      name,
      (model, signal) => asOcrModel(model, name).recognize(upload.bytes, { signal }),
      {
        signal: disconnectSignal(reply),
        ...(options.keep_alive === undefined ? {} : { keepAlive: options.keep_alive }),
      },
    );
    return { success: true, text: result.text, lines: result.lines };
  });
}
