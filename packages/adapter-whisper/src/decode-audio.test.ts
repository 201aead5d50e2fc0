import { createToneSamples, encodeFlac, encodeWav } from '@model-loader/fixtures';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareAudio } from './decode-audio.js';
import { mixToMono, resample } from './resample.js';

const limits = { maxAudioSizeInBytes: 10 * 1024 * 1024, maxAudioDurationInSeconds: 60 };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return (error as { code?: string }).code ?? `uncoded: ${String(error)}`;
  }
}

describe('prepareAudio', () => {
  it('decodes a 44.1 kHz stereo WAV to 16 kHz mono of the same duration', async () => {
    const left = createToneSamples({
      frequencyInHz: 440,
      durationInSeconds: 1.5,
      sampleRate: 44_100,
    });
    const right = new Float32Array(left.length);
    const { samples, durationInSeconds } = await prepareAudio(
      encodeWav([left, right], 44_100),
      limits,
    );
    expect(durationInSeconds).toBeCloseTo(1.5, 3);
    expect(samples.length).toBe(24_000);
    // Mixed to mono: half the amplitude of the left channel (0.5 peak -> 0.25).
    const peak = samples.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    expect(peak).toBeGreaterThan(0.24);
    expect(peak).toBeLessThan(0.26);
  });

  it('decodes FLAC to the samples WAV holds', async () => {
    const tone = createToneSamples({
      frequencyInHz: 300,
      durationInSeconds: 1,
      sampleRate: 22_050,
    });
    const fromWav = await prepareAudio(encodeWav([tone], 22_050), limits);
    const fromFlac = await prepareAudio(encodeFlac([tone], 22_050), limits);
    expect(fromFlac.samples.length).toBe(fromWav.samples.length);
    let largestDifference = 0;
    fromFlac.samples.forEach((value, i) => {
      largestDifference = Math.max(largestDifference, Math.abs(value - fromWav.samples[i]!));
    });
    // The decoders scale 16-bit samples by 1/32767 or 1/32768.
    expect(largestDifference).toBeLessThan(1e-3);
  });

  it('takes Float32Array samples as 16 kHz mono unchanged', async () => {
    const samples = Float32Array.of(0.1, -0.2, 0.3);
    expect((await prepareAudio(samples, limits)).samples).toBe(samples);
  });

  it('rejects empty, undecodable, non-finite and oversized audio with coded errors', async () => {
    expect(await codeOf(prepareAudio(new Uint8Array(), limits))).toBe('AUDIO_INVALID');
    expect(await codeOf(prepareAudio(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), limits))).toBe(
      'AUDIO_INVALID',
    );
    expect(await codeOf(prepareAudio(Float32Array.of(Number.POSITIVE_INFINITY), limits))).toBe(
      'AUDIO_INVALID',
    );
    expect(
      await codeOf(prepareAudio({ channels: [new Float32Array(10)], sampleRate: 0 }, limits)),
    ).toBe('AUDIO_INVALID');
    const twoSeconds = createToneSamples({ frequencyInHz: 440, durationInSeconds: 2 });
    const short = { maxAudioSizeInBytes: 1000, maxAudioDurationInSeconds: 1 };
    expect(await codeOf(prepareAudio(twoSeconds, short))).toBe('AUDIO_TOO_LONG');
    expect(await codeOf(prepareAudio(encodeWav([twoSeconds], 16_000), short))).toBe(
      'AUDIO_TOO_LONG',
    );
    await expect(prepareAudio(twoSeconds, short)).rejects.toThrow(
      'Audio is 2.0 s long; the limit is 1 s',
    );
  });

  it('never throws an uncoded error on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 256 }), async (bytes) => {
        const code = await codeOf(prepareAudio(bytes, limits));
        expect(['resolved', 'AUDIO_INVALID']).toContain(code);
      }),
      { numRuns: 60 },
    );
  });
});

describe('resample', () => {
  it('keeps the duration and a DC level', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8000, 11_025, 22_050, 44_100, 48_000),
        fc.integer({ min: 1, max: 2000 }),
        fc.float({ min: -1, max: 1, noNaN: true }),
        (rate, length, level) => {
          const out = resample(new Float32Array(length).fill(level), rate, 16_000);
          expect(out.length).toBe(Math.round((length * 16_000) / rate));
          for (const value of out) expect(value).toBeCloseTo(level, 4);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('removes a tone above the new Nyquist frequency when downsampling', () => {
    const high = createToneSamples({
      frequencyInHz: 12_000,
      durationInSeconds: 0.5,
      sampleRate: 48_000,
    });
    const out = resample(high, 48_000, 16_000).subarray(200, -200);
    const peak = out.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    expect(peak).toBeLessThan(0.05);
  });

  it('mixes channels by averaging', () => {
    expect([...mixToMono([Float32Array.of(1, 0), Float32Array.of(0, 1)])]).toEqual([0.5, 0.5]);
  });
});
