import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { multipart, textPng } from './test-support/media.js';
import { createTestApp, createTestConfig } from './test-support/test-server.js';

const MAX_UPLOAD_BYTES = 1_000_000;
const UPLOAD_BUDGET_BYTES = 2_500_000;
let app: FastifyInstance;
let port: number;
beforeAll(async () => {
  const config = await createTestConfig({
    env: {
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      UPLOAD_BUDGET_BYTES: String(UPLOAD_BUDGET_BYTES),
    },
  });
  app = await createTestApp(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
}, 60_000);
afterAll(() => app?.close());

/** Sends the headers of an upload of `sizeInBytes` and none of its body. */
function startUpload(
  path: string,
  sizeInBytes: number,
): { socket: Socket; answer: Promise<string> } {
  const socket = connect({ host: '127.0.0.1', port });
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${sizeInBytes}\r\n\r\n`,
  );
  return { socket, answer };
}

describe('the upload byte budget', () => {
  it('refuses an upload past the budget with 503 + Retry-After before reading its body', async () => {
    const held = [startUpload('/ocr', 900_000), startUpload('/ocr', 900_000)];
    await vi.waitFor(() => expect(app.uploadBudget.inUseInBytes).toBe(1_800_000));

    // 1.8 MB held + 0.9 MB > 2.5 MB: refused at once, though its body never comes.
    const refused = startUpload('/v1/audio/transcriptions', 900_000);
    const text = await refused.answer;
    const [head, body] = text.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head).toMatch(/\r\nretry-after: \d+\r\n/i);
    expect(JSON.parse(body!).error).toMatchObject({
      code: 'UPLOAD_BUDGET_EXCEEDED',
      message: expect.stringMatching(
        /^The server is already receiving or processing 1800000 bytes/,
      ),
    });
    // A small upload still fits.
    const small = startUpload('/ocr', 100_000);
    await vi.waitFor(() => expect(app.uploadBudget.inUseInBytes).toBe(1_900_000));

    for (const upload of [...held, small]) upload.socket.destroy();
    await vi.waitFor(() => expect(app.uploadBudget.inUseInBytes).toBe(0));
    expect(app.uploadBudget.peakInBytes).toBeLessThanOrEqual(UPLOAD_BUDGET_BYTES);
  });

  it('holds at most the budget with many concurrent uploads, and serves those it admits', async () => {
    const png = await textPng(['Budget']);
    const padded = Buffer.concat([png, Buffer.alloc(700_000)]);
    const { payload, headers } = multipart([
      { name: 'image', filename: 'a.png', type: 'image/png', data: padded },
    ]);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () =>
        app.inject({ method: 'POST', url: '/ocr', payload, headers }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);
    const refused = responses.filter((response) => response.statusCode === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) {
      expect(response.json()).toMatchObject({
        success: false,
        error: { code: 'UPLOAD_BUDGET_EXCEEDED' },
      });
    }
    // Every admitted upload got a real answer (OCR ran, or refused the padded PNG with a code).
    for (const response of responses.filter((response) => response.statusCode !== 503)) {
      expect(response.json().error?.code ?? 'ok', String(statuses)).not.toBe('INTERNAL_ERROR');
    }
    expect(app.uploadBudget.peakInBytes).toBeLessThanOrEqual(UPLOAD_BUDGET_BYTES);
    await vi.waitFor(() => expect(app.uploadBudget.inUseInBytes).toBe(0));
  });
});
