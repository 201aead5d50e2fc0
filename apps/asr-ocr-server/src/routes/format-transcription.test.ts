import { describe, expect, it } from 'vitest';
import { toSegments, toSrt, toVtt } from './format-transcription.js';

describe('transcription formats', () => {
  const result = {
    text: 'one two',
    durationInSeconds: 4,
    chunks: [
      { text: ' one', startInSeconds: 0, endInSeconds: 1.5 },
      { text: ' two', startInSeconds: 1.5, endInSeconds: null },
    ],
  };

  it('closes open segments at the end of the audio and cuts times past it', () => {
    expect(toSegments(result)).toEqual([
      { id: 0, seek: 0, start: 0, end: 1.5, text: 'one' },
      { id: 1, seek: 0, start: 1.5, end: 4, text: 'two' },
    ]);
    expect(
      toSegments({
        text: 'x',
        durationInSeconds: 2,
        chunks: [{ text: 'x', startInSeconds: 0, endInSeconds: 8.3 }],
      })[0],
    ).toMatchObject({ start: 0, end: 2 });
    expect(toSegments({ text: 'all', durationInSeconds: 3 })).toEqual([
      { id: 0, seek: 0, start: 0, end: 3, text: 'all' },
    ]);
  });

  it('writes SubRip and WebVTT', () => {
    const segments = toSegments({ ...result, durationInSeconds: 3725.25 });
    expect(toSrt(segments)).toBe(
      '1\n00:00:00,000 --> 00:00:01,500\none\n\n2\n00:00:01,500 --> 01:02:05,250\ntwo\n',
    );
    expect(toVtt(segments)).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.500\none\n\n00:00:01.500 --> 01:02:05.250\ntwo\n',
    );
  });
});
