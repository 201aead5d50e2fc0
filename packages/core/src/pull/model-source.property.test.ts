import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import {
  folderFileSource,
  formatModelSource,
  parseModelSource,
  resolveModelSource,
} from './model-source.js';

const namePart = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);
const pathSegment = fc
  .string({ minLength: 1, maxLength: 12, unit: 'grapheme' })
  .filter((text) => !/[\0\\/@]/.test(text) && text !== '.' && text !== '..');
const revision = fc.oneof(
  fc.constantFrom('main', 'v1.0', 'refs/pr/1'),
  fc.stringMatching(/^[0-9a-f]{40}$/),
);

describe('parseModelSource (hf://)', () => {
  it('round-trips org, repo, path and revision, and resolves to <endpoint>/<org>/<repo>/resolve/<rev>/<path>', () => {
    fc.assert(
      fc.property(
        namePart,
        namePart,
        fc.array(pathSegment, { minLength: 1, maxLength: 4 }),
        revision,
        (org, repo, segments, rev) => {
          const text = `hf://${org}/${repo}/${segments.join('/')}@${rev}`;
          const parsed = parseModelSource(text);
          expect(parsed).toEqual({
            kind: 'huggingface',
            repository: `${org}/${repo}`,
            path: segments.join('/'),
            revision: rev,
          });
          expect(formatModelSource(parsed)).toBe(text);
          const { url, headers } = resolveModelSource(parsed, {
            huggingFaceEndpoint: 'https://hub.example/mirror/',
            huggingFaceToken: 'hf_secret',
          });
          expect(url.origin).toBe('https://hub.example');
          expect(url.pathname).toBe(
            `/mirror/${org}/${repo}/resolve/${encodeURIComponent(rev)}/${segments.map(encodeURIComponent).join('/')}`,
          );
          expect(decodeURIComponent(url.pathname.split('/resolve/')[1]!)).toBe(
            `${rev}/${segments.join('/')}`,
          );
          expect(headers).toEqual({ authorization: 'Bearer hf_secret' });
        },
      ),
    );
  });

  it('throws nothing but MODEL_SOURCE_INVALID on any input, and what it accepts stays in its repository', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((text) => `hf://${text}`),
        ),
        (text) => {
          let parsed: ReturnType<typeof parseModelSource>;
          try {
            parsed = parseModelSource(text);
          } catch (error) {
            expect(ModelLoaderError.hasCode(error, 'MODEL_SOURCE_INVALID')).toBe(true);
            return;
          }
          if (parsed.kind === 'url') {
            expect(['https:', 'http:']).toContain(parsed.url.protocol);
            return;
          }
          expect(parsed.path.split('/')).not.toContain('..');
          if (parsed.path === '') return;
          const { url } = resolveModelSource(parsed);
          expect(url.pathname.startsWith(`/${parsed.repository}/resolve/`)).toBe(true);
        },
      ),
    );
  });

  it('defaults the revision to main and refuses escapes, empty segments and other schemes', () => {
    expect(parseModelSource('hf://org/repo/model.gguf')).toMatchObject({ revision: 'main' });
    for (const bad of [
      'hf://org',
      'hf://org/repo/../x@main',
      'hf://org/repo/a//b@main',
      'hf://org/repo/a@',
      'ftp://host/file',
      'file:///etc/passwd',
      'https://user:pw@host/file',
      'not a url',
    ]) {
      expect(() => parseModelSource(bad), bad).toThrowError(
        expect.objectContaining({ code: 'MODEL_SOURCE_INVALID' }),
      );
    }
    expect(() => resolveModelSource(parseModelSource('hf://org/repo@main'))).toThrowError(
      /name the file inside the repository/,
    );
  });
});

describe('folderFileSource', () => {
  it('appends the file path to an hf:// or https:// base and refuses paths that climb out', () => {
    expect(
      formatModelSource(folderFileSource(parseModelSource('hf://o/r/whisper@v1'), 'onnx/e.onnx')),
    ).toBe('hf://o/r/whisper/onnx/e.onnx@v1');
    expect(
      formatModelSource(
        folderFileSource(parseModelSource('https://h.example/w/?sig=1'), 'a b/c.json'),
      ),
    ).toBe('https://h.example/w/a%20b/c.json?sig=1');
    expect(() => folderFileSource(parseModelSource('https://h.example/w'), '../x')).toThrowError(
      expect.objectContaining({ code: 'MODEL_SOURCE_INVALID' }),
    );
  });
});
