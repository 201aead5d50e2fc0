import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';

/** Listens on a free loopback port and returns the official client pointed at `/v1`. */
export async function listenWithClient(app: FastifyInstance): Promise<OpenAI> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return new OpenAI({
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey: 'not-checked',
    maxRetries: 0,
  });
}

/** The error a call rejects with (fails the test when it resolves). */
export async function rejection(
  call: Promise<unknown>,
): Promise<InstanceType<typeof OpenAI.APIError>> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof OpenAI.APIError))
    throw new Error(`expected an APIError, got ${String(outcome)}`);
  return outcome;
}
