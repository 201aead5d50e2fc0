import type { FastifyReply } from 'fastify';

const signals = new WeakMap<object, AbortSignal>();

/**
 * An `AbortSignal` that aborts when the client closes the connection before the answer was sent.
 * Pass it to `app.models.run(name, fn, { signal: disconnectSignal(reply) })` so a client that
 * hangs up stops its work. One signal per reply, created on first use.
 */
export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const response = reply.raw;
  const existing = signals.get(response);
  if (existing) return existing;
  const controller = new AbortController();
  // The response's 'close' fires when it was sent or when the connection died first.
  response.once('close', () => {
    if (!response.writableFinished) {
      controller.abort(new Error('The client closed the connection'));
    }
  });
  signals.set(response, controller.signal);
  return controller.signal;
}
