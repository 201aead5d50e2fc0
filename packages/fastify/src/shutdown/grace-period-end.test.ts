import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { installGracefulShutdown } from './graceful-shutdown.js';

/** An app with one request that runs until `release` is called. */
async function appWithHangingRequest() {
  const app = Fastify({ logger: false, forceCloseConnections: 'idle' });
  let release: (() => void) | undefined;
  let started: () => void = () => {};
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  app.get('/hang', async () => {
    started();
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return { ended: true };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  // No keep-alive: the connection ends with the answer, so the close does not wait for it.
  const answer = fetch(`${address}/hang`, { headers: { connection: 'close' } }).then((response) =>
    response.json(),
  );
  await running;
  return { app, answer, release: () => release?.() };
}

describe('installGracefulShutdown onGracePeriodEnd', () => {
  it('ends running work when the grace period ends and exits 0 once the server closed', async () => {
    const { app, answer, release } = await appWithHangingRequest();
    const exits: number[] = [];
    let called = 0;
    const shutdown = installGracefulShutdown(app, {
      gracePeriodInMs: 50,
      signals: [],
      exit: (code) => exits.push(code),
      onGracePeriodEnd: () => {
        called++;
        release();
      },
    });
    expect(await shutdown.shutdown('test')).toBe(0);
    expect(exits).toEqual([0]);
    expect(called).toBe(1);
    expect(await answer).toEqual({ ended: true });
  });

  it('exits 1 when the work does not end within the final window', async () => {
    const { app, answer, release } = await appWithHangingRequest();
    const exits: number[] = [];
    let called = 0;
    const shutdown = installGracefulShutdown(app, {
      gracePeriodInMs: 20,
      finalWindowInMs: 50,
      signals: [],
      exit: (code) => exits.push(code),
      onGracePeriodEnd: () => {
        called++;
      },
    });
    expect(await shutdown.shutdown('test')).toBe(1);
    expect(exits).toEqual([1]);
    expect(called).toBe(1);
    release();
    await answer;
  });

  it('without onGracePeriodEnd still exits 1 at the end of the grace period', async () => {
    const { app, answer, release } = await appWithHangingRequest();
    const shutdown = installGracefulShutdown(app, {
      gracePeriodInMs: 20,
      signals: [],
      exit: () => {},
    });
    expect(await shutdown.shutdown('test')).toBe(1);
    release();
    await answer;
  });
});
