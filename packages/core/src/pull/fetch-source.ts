import { ModelLoaderError } from '../errors/model-loader-error.js';

/** Options of {@link fetchSource}. */
export interface FetchSourceOptions {
  /** Headers for the source's origin (authorization is never sent to another origin). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request headers sent to every hop (Range, If-Range). */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Redirects followed at most. @default 10 */
  readonly maxRedirects?: number;
  /** Time until the response headers arrive. @default 30000 */
  readonly headersTimeoutInMs?: number;
  /** Shown in messages instead of the URL (which may carry a signed query). */
  readonly label?: string;
}

/** A response whose status is 200, 206 or 416, and the URL it came from. */
export interface SourceResponse {
  readonly response: Response;
  readonly url: URL;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** A retryable network failure (connection refused or reset, timeout). */
export function networkError(what: string, cause: unknown): ModelLoaderError {
  const reason =
    (cause as { cause?: { code?: string; message?: string } })?.cause?.code ??
    (cause as Error)?.message ??
    String(cause);
  return new ModelLoaderError('PULL_NETWORK_ERROR', `Download of ${what} failed: ${reason}`, {
    cause,
  });
}

function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Where a URL is shown: scheme, host and path, never the query (signed URLs carry secrets there). */
export function showUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/**
 * GETs `url`, following at most `maxRedirects` redirects by hand: only to http(s), never from
 * https down to http, and the source's own headers (its token) only to the source's origin.
 * Redirects change where bytes come from, never where they are written.
 * @throws ModelLoaderError PULL_HTTP_ERROR (5xx, 408, 429 retryable; other 4xx not),
 *   PULL_NETWORK_ERROR (retryable), PULL_REDIRECT_REFUSED, PULL_ABORTED
 */
export async function fetchSource(
  url: URL,
  options: FetchSourceOptions = {},
): Promise<SourceResponse> {
  const maxRedirects = options.maxRedirects ?? 10;
  const origin = url.origin;
  const label = options.label ?? showUrl(url);
  let current = url;
  for (let hop = 0; ; hop++) {
    options.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(options.headersTimeoutInMs ?? 30_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: {
          ...(current.origin === origin ? options.headers : {}),
          ...options.requestHeaders,
          'accept-encoding': 'identity',
        },
      });
    } catch (error) {
      if (options.signal?.aborted) throw abortError(label, options.signal.reason);
      if (timeout.aborted) {
        throw new ModelLoaderError(
          'PULL_NETWORK_ERROR',
          `Download of ${label} failed: no answer within ${options.headersTimeoutInMs ?? 30_000} ms`,
          { cause: error },
        );
      }
      throw networkError(label, error);
    }
    if (redirectStatuses.has(response.status)) {
      await response.body?.cancel().catch(() => {});
      const location = response.headers.get('location');
      if (location === null) {
        throw new ModelLoaderError(
          'PULL_HTTP_ERROR',
          `Download of ${label} failed: HTTP ${response.status} without a Location header`,
          { actual: String(response.status) },
        );
      }
      const next = new URL(location, current);
      if (hop + 1 > maxRedirects) {
        throw new ModelLoaderError(
          'PULL_REDIRECT_REFUSED',
          `Download of ${label} refused: more than ${maxRedirects} redirects`,
        );
      }
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new ModelLoaderError(
          'PULL_REDIRECT_REFUSED',
          `Download of ${label} refused: a redirect to the scheme ${next.protocol}`,
        );
      }
      if (current.protocol === 'https:' && next.protocol === 'http:') {
        throw new ModelLoaderError(
          'PULL_REDIRECT_REFUSED',
          `Download of ${label} refused: a redirect from https down to http (${showUrl(next)})`,
        );
      }
      current = next;
      continue;
    }
    if (response.status === 200 || response.status === 206 || response.status === 416) {
      return { response, url: current };
    }
    await response.body?.cancel().catch(() => {});
    throw new ModelLoaderError(
      'PULL_HTTP_ERROR',
      `Download of ${label} failed: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      { actual: String(response.status), isRetryable: isRetryableStatus(response.status) },
    );
  }
}

/** PULL_ABORTED with the signal's reason as cause. */
export function abortError(label: string, reason: unknown): ModelLoaderError {
  return new ModelLoaderError('PULL_ABORTED', `Download of ${label} was aborted`, {
    cause: reason,
  });
}
