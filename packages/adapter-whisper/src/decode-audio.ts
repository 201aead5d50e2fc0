import { createOptionalModuleImport, ModelLoaderError } from '@model-loader/core';
import type { AudioData } from 'audio-decode';
import { mixToMono, resample, WHISPER_SAMPLE_RATE } from './resample.js';

/**
 * Audio for `transcribe`: the bytes of an audio file (WAV, MP3, FLAC, OGG Vorbis/Opus and the other
 * formats audio-decode reads), 16 kHz mono float samples, or float channels with their sample rate.
 */
export type WhisperAudioInput =
  | Uint8Array
  | ArrayBuffer
  | Float32Array
  | { readonly channels: readonly Float32Array[]; readonly sampleRate: number };

/** Limits on the audio `prepareAudio` accepts. */
export interface AudioLimits {
  readonly maxAudioSizeInBytes: number;
  readonly maxAudioDurationInSeconds: number;
}

/** 16 kHz mono samples ready for Whisper. */
export interface PreparedAudio {
  readonly samples: Float32Array;
  readonly durationInSeconds: number;
}

const loadDecoder = createOptionalModuleImport({
  packageName: 'audio-decode',
  requiredBy: '@model-loader/adapter-whisper',
  importModule: () => import('audio-decode'),
  select: (module) => module.default,
});

function invalid(message: string, cause?: unknown): ModelLoaderError {
  return new ModelLoaderError('AUDIO_INVALID', message, cause === undefined ? {} : { cause });
}

function checkDuration(sampleCount: number, sampleRate: number, limits: AudioLimits): void {
  const durationInSeconds = sampleCount / sampleRate;
  if (durationInSeconds > limits.maxAudioDurationInSeconds) {
    throw new ModelLoaderError(
      'AUDIO_TOO_LONG',
      `Audio is ${durationInSeconds.toFixed(1)} s long; the limit is ${limits.maxAudioDurationInSeconds} s`,
      { expected: `<= ${limits.maxAudioDurationInSeconds} s`, actual: `${durationInSeconds} s` },
    );
  }
}

async function decodeBytes(
  bytes: Uint8Array,
  limits: AudioLimits,
): Promise<{ channels: readonly Float32Array[]; sampleRate: number }> {
  if (bytes.length === 0) throw invalid('Audio is empty (0 bytes)');
  if (bytes.length > limits.maxAudioSizeInBytes) {
    throw new ModelLoaderError(
      'AUDIO_TOO_LONG',
      `Audio is ${bytes.length} bytes; the limit is ${limits.maxAudioSizeInBytes} bytes`,
      { expected: `<= ${limits.maxAudioSizeInBytes} bytes`, actual: `${bytes.length} bytes` },
    );
  }
  const decode = await loadDecoder();
  let decoded: AudioData;
  try {
    // The decoders may keep or detach the buffer they get: hand them a copy.
    decoded = await decode(bytes.slice());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalid(`Audio cannot be decoded: ${reason}`, error);
  }
  if (decoded.channelData.length === 0 || !(decoded.sampleRate > 0)) {
    throw invalid('Audio cannot be decoded: the decoder found no audio frames');
  }
  return { channels: decoded.channelData, sampleRate: decoded.sampleRate };
}

/**
 * Decodes, mixes to mono and resamples audio to 16 kHz float samples, enforcing byte and duration
 * limits. Empty, undecodable or non-finite audio gives `AUDIO_INVALID`; too much, `AUDIO_TOO_LONG`.
 */
export async function prepareAudio(
  input: WhisperAudioInput,
  limits: AudioLimits,
): Promise<PreparedAudio> {
  let channels: readonly Float32Array[];
  let sampleRate: number;
  if (input instanceof Float32Array) {
    channels = [input];
    sampleRate = WHISPER_SAMPLE_RATE;
  } else if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    ({ channels, sampleRate } = await decodeBytes(bytes, limits));
  } else if (typeof input === 'object' && input !== null && Array.isArray(input.channels)) {
    channels = input.channels;
    sampleRate = input.sampleRate;
    if (!Number.isFinite(sampleRate) || sampleRate < 1000 || sampleRate > 768_000) {
      throw invalid(`Audio sample rate must be between 1000 and 768000 Hz, got ${sampleRate}`);
    }
    if (channels.length === 0 || !channels.every((c) => c instanceof Float32Array)) {
      throw invalid('Audio channels must be one or more Float32Array');
    }
  } else {
    throw invalid('Audio must be file bytes (Uint8Array/ArrayBuffer) or Float32Array samples');
  }
  const frameCount = Math.min(...channels.map((channel) => channel.length));
  if (frameCount === 0) throw invalid('Audio has no samples');
  checkDuration(frameCount, sampleRate, limits);
  const mono = mixToMono(channels);
  for (let i = 0; i < mono.length; i += 1) {
    if (!Number.isFinite(mono[i]!)) throw invalid(`Audio sample ${i} is not a finite number`);
  }
  const samples = resample(mono, sampleRate, WHISPER_SAMPLE_RATE);
  return { samples, durationInSeconds: samples.length / WHISPER_SAMPLE_RATE };
}
