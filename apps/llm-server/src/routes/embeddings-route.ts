import { disconnectSignal } from '@model-loader/fastify';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../generation/api-error.js';
import { refuseOversizedPrompt } from '../generation/prompt-too-long.js';
import { EMBEDDING_REFUSALS, refuseUnsupported } from './refuse-unsupported.js';
import { embeddingsBody } from './request-schemas.js';
import type { ZodApp } from './route-types.js';

/** A vector as OpenAI's base64 encoding: little-endian float32 bytes. */
function toBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => {
    bytes.writeFloatLE(value, index * 4);
  });
  return bytes.toString('base64');
}

/**
 * `POST /v1/embeddings` `{ model, input, encoding_format }`: one vector per input from the GGUF
 * model's embedding context (node-llama-cpp), as floats or base64. Each input must fit the
 * model's context (`CONTEXT_LENGTH_EXCEEDED`); runs under the model's limits like generations.
 */
export function registerEmbeddingsRoute(routes: ZodApp, app: FastifyInstance): void {
  routes.post('/embeddings', { schema: { body: embeddingsBody } }, async (request, reply) => {
    const body = request.body;
    refuseUnsupported(body, EMBEDDING_REFUSALS);
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const result = await app.models.run(
      body.model,
      async (model, signal) => {
        for (const [index, input] of inputs.entries()) {
          const param = typeof body.input === 'string' ? 'input' : `input[${index}]`;
          const [tokens = 0] = await refuseOversizedPrompt(() => model.countTokens([input]), param);
          if (tokens > model.contextSize) {
            throw new ApiError(
              'CONTEXT_LENGTH_EXCEEDED',
              `Input ${index} is ${tokens} tokens long, but model '${body.model}' embeds at most ${model.contextSize}. Shorten the input.`,
              param,
            );
          }
        }
        return model.embed(inputs, { signal });
      },
      {
        signal: disconnectSignal(reply),
        ...(body.keep_alive == null ? {} : { keepAlive: body.keep_alive }),
      },
    );
    const base64 = body.encoding_format === 'base64';
    return {
      object: 'list',
      data: result.embeddings.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: base64 ? toBase64(vector) : vector,
      })),
      model: body.model,
      usage: { prompt_tokens: result.promptTokens, total_tokens: result.promptTokens },
    };
  });
}
