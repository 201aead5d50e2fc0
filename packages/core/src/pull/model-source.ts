import { ModelLoaderError } from '../errors/model-loader-error.js';

/** A parsed model `source`. */
export type ModelSource =
  | {
      /** A plain `https://` or `http://` URL. */
      readonly kind: 'url';
      readonly url: URL;
    }
  | {
      /** A file (or folder) of a Hugging Face model repository. */
      readonly kind: 'huggingface';
      /** `org/repo`, for example `ggml-org/models`. */
      readonly repository: string;
      /** Path inside the repository, `/`-separated; empty for the repository root. */
      readonly path: string;
      /** Branch, tag or commit. @default 'main' */
      readonly revision: string;
    };

/** Where `hf://` sources are resolved and who asks. */
export interface SourceEnvironment {
  /** Base URL of the Hub (`HF_ENDPOINT`). @default 'https://huggingface.co' */
  readonly huggingFaceEndpoint?: string;
  /** Access token (`HF_TOKEN`), sent as a bearer header to the endpoint's origin only. */
  readonly huggingFaceToken?: string;
}

/** A source resolved to the URL bytes are fetched from, and the headers to send there. */
export interface ResolvedSource {
  readonly url: URL;
  /** Headers for the first request; dropped when a redirect leaves `url`'s origin. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The Hub's public endpoint. */
export const DEFAULT_HUGGING_FACE_ENDPOINT = 'https://huggingface.co';

const repositoryPart = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function invalid(source: string, reason: string): ModelLoaderError {
  return new ModelLoaderError(
    'MODEL_SOURCE_INVALID',
    `Invalid model source ${JSON.stringify(source)}: ${reason}`,
  );
}

function checkPathSegments(source: string, segments: readonly string[]): void {
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalid(source, 'the path may not have empty, "." or ".." segments');
    }
    if (/[\0\\]/.test(segment)) throw invalid(source, 'the path may not contain "\\" or NUL');
  }
}

/**
 * Parses a model `source`: `https://...`, `http://...`, or `hf://<org>/<repo>[/<path>][@<revision>]`
 * (the revision is everything after the last `@`; `main` when absent).
 * @throws ModelLoaderError MODEL_SOURCE_INVALID naming what is wrong
 */
export function parseModelSource(source: string): ModelSource {
  if (source.startsWith('hf://')) {
    const rest = source.slice('hf://'.length);
    const at = rest.lastIndexOf('@');
    const location = at === -1 ? rest : rest.slice(0, at);
    const revision = at === -1 ? 'main' : rest.slice(at + 1);
    if (revision === '' || /[\0\s]/.test(revision) || revision.split('/').includes('..')) {
      throw invalid(source, 'the revision after "@" must be a branch, tag or commit');
    }
    const segments = location.split('/');
    const [org, repo, ...path] = segments;
    if (!org || !repo || !repositoryPart.test(org) || !repositoryPart.test(repo)) {
      throw invalid(source, 'write it as hf://<org>/<repo>/<path>@<revision>');
    }
    const trimmed = path.at(-1) === '' ? path.slice(0, -1) : path;
    checkPathSegments(source, trimmed);
    return { kind: 'huggingface', repository: `${org}/${repo}`, path: trimmed.join('/'), revision };
  }
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw invalid(source, 'not a URL (use https://..., http://... or hf://org/repo/path@revision)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(source, `the scheme ${url.protocol} is not supported (use https, http or hf)`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(source, 'credentials in the URL are not accepted (use HF_TOKEN for the Hub)');
  }
  return { kind: 'url', url };
}

/** `a/b c` as `a/b%20c`: each segment percent-encoded, the slashes kept. */
function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/**
 * The source of one file of a folder model: the folder's source with the file's path (relative to
 * the model folder, `/`-separated) appended. `hf://org/repo/whisper@v1` and `onnx/encoder.onnx`
 * give `hf://org/repo/whisper/onnx/encoder.onnx@v1`; `https://host/whisper/` (with or without the
 * final slash) gives `https://host/whisper/onnx/encoder.onnx`, query string kept.
 * @throws ModelLoaderError MODEL_SOURCE_INVALID when the file path leaves the folder
 */
export function folderFileSource(folder: ModelSource, relativePath: string): ModelSource {
  const segments = relativePath.split('/');
  checkPathSegments(relativePath, segments);
  if (folder.kind === 'huggingface') {
    return { ...folder, path: [folder.path, relativePath].filter(Boolean).join('/') };
  }
  const url = new URL(folder.url);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodePath(relativePath)}`;
  return { kind: 'url', url };
}

/**
 * The URL of a source and its request headers. `hf://` resolves with the Hub's
 * `<endpoint>/<org>/<repo>/resolve/<revision>/<path>` layout.
 * @throws ModelLoaderError MODEL_SOURCE_INVALID for a bad endpoint or an `hf://` source with no file
 */
export function resolveModelSource(
  source: ModelSource,
  environment: SourceEnvironment = {},
): ResolvedSource {
  if (source.kind === 'url') return { url: new URL(source.url), headers: {} };
  const endpointText = environment.huggingFaceEndpoint || DEFAULT_HUGGING_FACE_ENDPOINT;
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText);
  } catch {
    throw invalid(endpointText, 'HF_ENDPOINT must be an http(s) URL');
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw invalid(endpointText, 'HF_ENDPOINT must be an http(s) URL');
  }
  if (source.path === '') {
    throw invalid(
      `hf://${source.repository}@${source.revision}`,
      'name the file inside the repository (hf://<org>/<repo>/<path>@<revision>)',
    );
  }
  const base = endpoint.pathname.replace(/\/+$/, '');
  const url = new URL(endpoint);
  url.pathname = `${base}/${source.repository}/resolve/${encodeURIComponent(source.revision)}/${encodePath(source.path)}`;
  url.search = '';
  const token = environment.huggingFaceToken;
  return { url, headers: token ? { authorization: `Bearer ${token}` } : {} };
}

/** The source written back as text (`hf://org/repo/path@revision` or the URL). */
export function formatModelSource(source: ModelSource): string {
  if (source.kind === 'url') return source.url.href;
  return `hf://${source.repository}${source.path ? `/${source.path}` : ''}@${source.revision}`;
}

/** `HF_ENDPOINT` and `HF_TOKEN` of an environment (empty values count as unset). */
export function sourceEnvironmentFrom(
  env: Readonly<Record<string, string | undefined>>,
): SourceEnvironment {
  return {
    ...(env.HF_ENDPOINT ? { huggingFaceEndpoint: env.HF_ENDPOINT } : {}),
    ...(env.HF_TOKEN ? { huggingFaceToken: env.HF_TOKEN } : {}),
  };
}
