/** Sample rate Whisper's feature extractor expects. */
export const WHISPER_SAMPLE_RATE = 16_000;

const ZERO_CROSSINGS = 8;

/**
 * Resamples mono audio with a Hann-windowed sinc filter whose cut-off is the lower of the two
 * Nyquist frequencies (so downsampling does not alias). Returns the input when the rates match.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return samples;
  const ratio = toRate / fromRate;
  const cutoff = Math.min(1, ratio);
  const halfWidth = ZERO_CROSSINGS / cutoff;
  const outLength = Math.round(samples.length * ratio);
  const out = new Float32Array(outLength);
  for (let i = 0; i < outLength; i += 1) {
    const center = i / ratio;
    const first = Math.max(0, Math.ceil(center - halfWidth));
    const last = Math.min(samples.length - 1, Math.floor(center + halfWidth));
    let sum = 0;
    let weights = 0;
    for (let j = first; j <= last; j += 1) {
      const distance = center - j;
      const x = Math.PI * cutoff * distance;
      const sinc = x === 0 ? 1 : Math.sin(x) / x;
      const window = 0.5 + 0.5 * Math.cos((Math.PI * distance) / halfWidth);
      const weight = sinc * window;
      sum += samples[j]! * weight;
      weights += weight;
    }
    // Normalising by the summed weights keeps DC gain at 1, also at the edges.
    out[i] = weights === 0 ? 0 : sum / weights;
  }
  return out;
}

/** Averages channels into one. */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const length = Math.min(...channels.map((channel) => channel.length));
  const out = new Float32Array(length);
  for (const channel of channels) {
    for (let i = 0; i < length; i += 1) out[i]! += channel[i]! / channels.length;
  }
  return out;
}
