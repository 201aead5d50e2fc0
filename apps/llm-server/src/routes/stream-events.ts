import type { GgufUsage } from '@model-loader/adapter-gguf';
import {
  errorResponseFor,
  HttpError,
  logErrorResponse,
  toOpenAiErrorBody,
} from '@model-loader/fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  type GenerationRequest,
  type ServedGeneration,
  streamGeneration,
} from '../generation/run-generation.js';
import { openAiErrors } from './error-responses.js';
import type { OpenStreams } from './open-streams.js';
import { openSse, type SseWriter } from './sse-writer.js';

/** The events of one stream, built by the route. */
export interface StreamEvents {
  first?: () => unknown;
  chunk: (text: string) => unknown;
  /** The last events (tool calls, finish reason), in order. */
  last: (generation: ServedGeneration) => unknown[];
  usage?: (usage: GgufUsage) => unknown;
}

/**
 * Streams a generation as server-sent events ending with `data: [DONE]`. Errors before the first
 * event answer as JSON (status and OpenAI shape); later ones are sent as an `error` event. While
 * it runs the stream is in `streams`, so the shutdown can end it with a `SHUTTING_DOWN` event.
 */
export async function streamEvents(
  app: FastifyInstance,
  reply: FastifyReply,
  streams: OpenStreams,
  request: GenerationRequest,
  events: StreamEvents,
): Promise<void> {
  let sse: SseWriter | undefined;
  const stop = new AbortController();
  const untrack = streams.add({
    close(code, message) {
      reply.log.warn({ code }, message);
      if (sse) {
        sse.send(toOpenAiErrorBody(errorResponseFor(new HttpError(code, message), app)));
        sse.finish();
      }
      stop.abort(new HttpError('SHUTTING_DOWN', message));
    },
  });
  try {
    await streamGeneration(
      app,
      reply,
      request,
      {
        start() {
          sse = openSse(reply);
          if (events.first) sse.send(events.first());
        },
        chunk(text) {
          sse?.send(events.chunk(text));
        },
        end(generation) {
          for (const event of events.last(generation)) sse?.send(event);
          if (events.usage) sse?.send(events.usage(generation.usage));
          sse?.done();
        },
      },
      stop.signal,
    );
  } catch (error) {
    if (!sse) throw error;
    const response = errorResponseFor(error, app, openAiErrors);
    logErrorResponse(reply.log, error, response);
    sse.send(toOpenAiErrorBody(response));
    sse.done();
  } finally {
    untrack();
  }
}
