import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyGguf } from '@model-loader/fixtures';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from './test-support/server-process.js';
import { slowModel } from './test-support/test-server.js';

/** Reads server-sent events' `data:` payloads from a fetch response body. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of body) {
    buffer += decoder.decode(bytes, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event.startsWith('data: ')) yield event.slice(6);
      end = buffer.indexOf('\n\n');
    }
  }
}

describe('shutdown with streams longer than SHUTDOWN_GRACE_MS', () => {
  it('ends each open stream with a SHUTTING_DOWN error event and [DONE], then exits 0', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'llm-server-shutdown-'));
    try {
      await writeTinyGguf(join(cwd, 'slow.gguf'), slowModel);
      await writeFile(
        join(cwd, 'models.json'),
        JSON.stringify({
          modelDir: '.',
          models: [
            {
              name: 'slow',
              adapter: 'gguf',
              path: 'slow.gguf',
              options: { contextSize: 2048, parallelSequences: 2 },
              limits: { concurrency: 2 },
            },
          ],
        }),
      );
      const { child, address, exited, output } = await startServerProcess(cwd, {
        MODELS_FILE: 'models.json',
        SHUTDOWN_GRACE_MS: '300',
      });
      let status = '';
      for (let tries = 0; tries < 400 && status !== 'healthy'; tries++) {
        status = ((await (await fetch(`${address}/health`)).json()) as { status: string }).status;
        if (status !== 'healthy') await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(status).toBe('healthy');

      const openStream = async (path: string, body: object) => {
        const response = await fetch(`${address}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'slow', max_tokens: 1900, stream: true, ...body }),
        });
        expect(response.status).toBe(200);
        const events = sseData(response.body as ReadableStream<Uint8Array>);
        // Wait for generated text, so the stream is well under way.
        // (next(), not a for-await with break: breaking would cancel the body.)
        const seen: string[] = [];
        while (seen.length < 3) {
          const next = await events.next();
          if (next.done) break;
          seen.push(next.value);
        }
        return { seen, events };
      };
      const streams = await Promise.all([
        openStream('/v1/chat/completions', {
          messages: [{ role: 'user', content: 'A long story' }],
        }),
        openStream('/v1/completions', { prompt: 'Once upon a time' }),
      ]);
      child.kill('SIGTERM');
      for (const stream of streams) {
        const rest: string[] = [];
        for await (const data of stream.events) rest.push(data);
        expect(rest.at(-1)).toBe('[DONE]');
        expect(JSON.parse(rest.at(-2) ?? '{}')).toEqual({
          error: {
            code: 'SHUTTING_DOWN',
            type: 'server_error',
            param: null,
            message: expect.stringContaining('shutting down'),
          },
        });
        // No finish chunk, and far fewer chunks than the 1900 tokens asked for: the generation
        // was cut at the grace period, not completed.
        expect(rest.some((data) => data.includes('"finish_reason":"length"'))).toBe(false);
        expect(stream.seen.length + rest.length).toBeLessThan(1900);
      }
      expect(await exited).toBe(0);
      expect(output()).toContain('shutdown grace period passed; ending running work');
    } finally {
      await rm(cwd, { recursive: true, force: true });
    }
  });
});
