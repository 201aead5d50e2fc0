import type { FastifyReply } from 'fastify';

/** Writes server-sent events to a hijacked reply. Writes after the end are ignored. */
export interface SseWriter {
  /** Sends `data: <json>`. */
  send(data: unknown): void;
  /** Sends `data: [DONE]` and ends the response. */
  done(): void;
  /** Sends `data: [DONE]`, ends the response and closes the connection after it. */
  finish(): void;
}

/**
 * Takes the reply over from Fastify and starts an event stream (status 200). From here on errors
 * can only be sent as events.
 */
export function openSse(reply: FastifyReply): SseWriter {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  // Headers go out at once, so the client sees the stream start before the first token.
  response.flushHeaders();
  const open = () => !response.writableEnded && !response.destroyed;
  return {
    send(data) {
      if (open()) response.write(`data: ${JSON.stringify(data)}\n\n`);
    },
    done() {
      if (open()) response.end('data: [DONE]\n\n');
    },
    finish() {
      if (open()) response.end('data: [DONE]\n\n', () => response.socket?.end());
    },
  };
}
