import type { HttpErrorCode } from './http-error.js';

/** What a code of the HTTP layer means and what the caller should do; `docs/errors.md` shows it. */
export interface HttpErrorDoc {
  readonly meaning: string;
  readonly fix: string;
}

/**
 * One line of documentation per HTTP-layer code. Typed by `HttpErrorCode`, so a new code without a
 * line does not compile; a test keeps `docs/errors.md` in step with this table.
 */
export const HTTP_ERROR_DOCS: Readonly<Record<HttpErrorCode, HttpErrorDoc>> = {
  REQUEST_INVALID: {
    meaning:
      'The request failed validation: a path parameter, query, header or body field is wrong, the JSON does not parse, the URL has bad percent-encoding, or the body is shorter or longer than its Content-Length.',
    fix: 'Correct the request as the message says (it names the field).',
  },
  UNAUTHORIZED: {
    meaning: 'An admin route was called without `Authorization: Bearer <token>`.',
    fix: 'Send the admin token the server was started with (`ADMIN_TOKEN`).',
  },
  FORBIDDEN: {
    meaning: 'An admin route was called with a wrong bearer token.',
    fix: 'Send the admin token the server was started with (`ADMIN_TOKEN`).',
  },
  NOT_FOUND: {
    meaning: 'No route matches the method and the URL.',
    fix: 'Check the method and the path; `GET /openapi.json` lists every route.',
  },
  REQUEST_TOO_SLOW: {
    meaning:
      "The client took longer than the server's request timeout to send the request line and headers.",
    fix: 'Send the whole request promptly (a slow or stalled client connection).',
  },
  MODEL_VERSION_NOT_FOUND: {
    meaning:
      'A KServe v2 / Triton route asked for a model version that does not exist (each model has the one version `1`).',
    fix: 'Leave the version out of the URL or ask for version `1`.',
  },
  PAYLOAD_TOO_LARGE: {
    meaning: "The request body or upload is larger than the server's limit.",
    fix: 'Send less, or raise `BODY_LIMIT_BYTES` / `MAX_UPLOAD_BYTES` on the server.',
  },
  URI_TOO_LONG: {
    meaning: "The request URL is longer than the server's limit.",
    fix: 'Send long values in the body instead of the URL.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    meaning: 'The request body has a content type the route does not accept.',
    fix: 'Send the content type the message names (usually `application/json` or `multipart/form-data`).',
  },
  RATE_LIMITED: {
    meaning:
      'The client (its API key, or its IP address without one) sent more requests than its rate limit allows.',
    fix: 'Wait `Retry-After` seconds before the next request; ask the operator to raise `RATE_LIMIT_MAX` if the load is intended.',
  },
  HEADERS_TOO_LARGE: {
    meaning:
      "The request line and headers together are larger than the server's limit (16 KiB by default).",
    fix: 'Send fewer or shorter headers (large cookies are the usual cause).',
  },
  REQUEST_ABORTED: {
    meaning:
      'The client closed the connection before the answer (logged; the client never sees it).',
    fix: 'Nothing on the server; the client gave up (its own timeout?).',
  },
  INTERNAL_ERROR: {
    meaning: 'An unexpected error; the details are only in the server log, under the request id.',
    fix: 'Report it with the request id (`x-request-id`).',
  },
  SHUTTING_DOWN: {
    meaning: 'The server is shutting down and takes no new work.',
    fix: 'Send the request to another replica, or again once the server is back.',
  },
  UPLOAD_BUDGET_EXCEEDED: {
    meaning: "Uploads in progress already hold the server's in-flight upload byte budget.",
    fix: 'Try again after `Retry-After` seconds; raise `UPLOAD_BUDGET_BYTES` if the machine has the memory.',
  },
  REQUEST_TIMEOUT: {
    meaning: 'The work took longer than the request timeout (queue wait included) and was aborted.',
    fix: 'Ask for less work (fewer tokens, shorter audio), or raise `REQUEST_TIMEOUT_MS`.',
  },
};
