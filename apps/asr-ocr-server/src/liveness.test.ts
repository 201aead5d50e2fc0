import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { asSpeechModel } from './served-models.js';
import { multipart, toneWav } from './test-support/media.js';
import { createTestConfig } from './test-support/test-server.js';

// With the models in their own processes (the server's default), the server's event loop only
// routes: /health/live keeps answering while a model loads and while ten minutes of 24 kHz audio
// are decoded, resampled and transcribed. A bounded poller measures the longest silence.

/** Polls `/health/live` back to back until stopped; reports the longest gap between answers. */
function startLivenessPoller(probe: () => Promise<number>) {
  let running = true;
  let longestGapInMs = 0;
  let answers = 0;
  let failures = 0;
  const done = (async () => {
    let last = performance.now();
    while (running) {
      const status = await probe();
      const now = performance.now();
      longestGapInMs = Math.max(longestGapInMs, now - last);
      last = now;
      answers++;
      if (status !== 200) failures++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { longestGapInMs, answers, failures };
    },
  };
}

describe('liveness while models work in their own processes', () => {
  let close: (() => Promise<void>) | undefined;
  afterAll(async () => close?.(), 60_000);

  // Measured: the longest gap 7 s once with the shared machine at load average 40 (the server
  // process starved of CPU), under 1 s at load average 14 (16 s for the whole test).
  it('answers /health/live with no gap over 1 s during a load and a 10-minute transcription', async () => {
    const config = await createTestConfig({
      whisperEntry: { options: { maxNewTokens: 4 } },
      env: { MAX_UPLOAD_BYTES: String(64 * 1024 * 1024), REQUEST_TIMEOUT_MS: '240000' },
    });
    expect(config.isolation).toBe('process');
    const app = await buildApp(config, {
      logger: false,
      whisper: { threadCount: 1 },
      ocr: { threadCount: 1 },
    });
    close = () => app.close();
    await app.ready();
    const audio = toneWav(440, 600, 24_000); // 28.8 MB of 16-bit WAV
    const { payload, headers } = multipart([
      { name: 'audio', filename: 'long.wav', type: 'audio/wav', data: audio },
    ]);

    const poller = startLivenessPoller(async () => (await app.inject('/health/live')).statusCode);
    await app.models.loadInBackground();
    expect(app.models.loader.getModelInfo('whisper').state).toBe('loaded');
    const response = await app.inject({ method: 'POST', url: '/asr', payload, headers });
    const result = await poller.stop();

    expect(response.statusCode, response.body).toBe(200);
    const direct = await app.models.run('whisper', (model) =>
      asSpeechModel(model, 'whisper').transcribe(toneWav(440, 1, 24_000)),
    );
    expect(direct.durationInSeconds).toBeCloseTo(1, 1);
    expect(result.failures).toBe(0);
    expect(result.answers).toBeGreaterThan(20);
    expect(result.longestGapInMs).toBeLessThan(1000);
  }, 300_000);
});
