import type { WhisperTranscription } from '@model-loader/adapter-whisper';

/** One segment of OpenAI's `verbose_json` answer (the fields this server can fill). */
export interface TranscriptionSegment {
  readonly id: number;
  readonly seek: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Segments from the model's timestamped chunks; a chunk the model left open ends at the end of the
 * audio, and times past the end are cut to it. Without chunks the whole text is one segment.
 */
export function toSegments(result: WhisperTranscription): TranscriptionSegment[] {
  const chunks = result.chunks?.length
    ? result.chunks
    : [{ text: result.text, startInSeconds: 0, endInSeconds: result.durationInSeconds }];
  return chunks.map((chunk, id) => {
    // Timestamps are the model's guesses: keep them inside the audio.
    const duration = result.durationInSeconds;
    const start = Math.min(chunk.startInSeconds ?? 0, duration);
    const end = Math.min(Math.max(start, chunk.endInSeconds ?? duration), duration);
    return { id, seek: 0, start, end, text: chunk.text.trim() };
  });
}

function clock(seconds: number, separator: ',' | '.'): string {
  const millis = Math.round(seconds * 1000);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor(millis / 60_000) % 60;
  const secs = Math.floor(millis / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(secs)}${separator}${pad(millis % 1000, 3)}`;
}

/** SubRip subtitles of the segments. */
export function toSrt(segments: readonly TranscriptionSegment[]): string {
  return segments
    .map(
      (segment, index) =>
        `${index + 1}\n${clock(segment.start, ',')} --> ${clock(segment.end, ',')}\n${segment.text}\n`,
    )
    .join('\n');
}

/** WebVTT subtitles of the segments. */
export function toVtt(segments: readonly TranscriptionSegment[]): string {
  const cues = segments.map(
    (segment) => `${clock(segment.start, '.')} --> ${clock(segment.end, '.')}\n${segment.text}\n`,
  );
  return ['WEBVTT\n', ...cues].join('\n');
}
