import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorResponse, toErrorResponse } from './error-response.js';
import { HttpError } from './http-error.js';
import { scrubPaths } from './scrub-paths.js';

/** How a route family answers errors, on top of the plugin's table. */
export interface SendErrorOptions {
  /**
   * Maps the app's own errors (checked first); `undefined` hands the error to the plugin's table
   * (core codes, HTTP codes, Fastify's errors).
   */
  readonly classify?: (error: unknown) => ErrorResponse | undefined;
  /** The body sent for a response. @default `response.body`, `{ error: { code, message } }` */
  readonly render?: (response: ErrorResponse, error: unknown) => unknown;
  /** The status sent for a response (the seed routes answer 200 to MODEL_NOT_AVAILABLE). @default `response.statusCode` */
  readonly statusCode?: (response: ErrorResponse) => number;
}

/**
 * The directories whose paths are cut from error messages: the plugin's loader's model directory.
 * The one source for every error handler, so no handler scrubs with a list of its own.
 */
export function modelDirsOf(app: FastifyInstance): readonly string[] {
  const dir = (app as Partial<Pick<FastifyInstance, 'models'>>).models?.loader.modelDir;
  return dir === undefined ? [] : [dir];
}

/** What {@link sendError} answers for an error, before it is rendered. */
export function errorResponseFor(
  error: unknown,
  app: FastifyInstance,
  options: Pick<SendErrorOptions, 'classify'> = {},
): ErrorResponse {
  const dirs = modelDirsOf(app);
  const own = options.classify?.(error);
  if (!own) return toErrorResponse(error, dirs);
  // An app's own message is scrubbed like the table's: no handler answers an absolute path.
  const { code, message } = own.body.error;
  return { ...own, body: { error: { code, message: scrubPaths(message, dirs) } } };
}

/**
 * Logs an error answer the one way: an unexpected error (500, details hidden from the client) at
 * error level with its stack, anything else (a refusal the client can act on) as one info line.
 */
export function logErrorResponse(
  log: FastifyBaseLogger,
  error: unknown,
  response: ErrorResponse,
): void {
  if (response.statusCode === 500) log.error({ err: error }, 'request failed');
  else log.info({ code: response.body.error.code }, response.body.error.message);
}

/**
 * Answers `error` the one way every handler does: status and code from the table, no stack and no
 * absolute path, an unexpected error (500) logged with its stack at error level and everything else
 * as one info line, headers such as `Retry-After` only on an error status.
 */
export function sendError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  options: SendErrorOptions = {},
): FastifyReply {
  const response = errorResponseFor(error, request.server, options);
  logErrorResponse(request.log, error, response);
  const statusCode = options.statusCode?.(response) ?? response.statusCode;
  const body = options.render ? options.render(response, error) : response.body;
  if (statusCode >= 400) reply.headers(response.headers);
  return reply.code(statusCode).send(body);
}

/** A Fastify error handler that answers with {@link sendError}. */
export function createErrorHandler(options: SendErrorOptions = {}) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) =>
    sendError(error, request, reply, options);
}

/** The 404 NOT_FOUND for a request no route matches. */
export function routeNotFoundError(request: FastifyRequest) {
  return new HttpError('NOT_FOUND', `Route ${request.method} ${request.url} not found`);
}

/** A Fastify not-found handler that answers 404 NOT_FOUND with {@link sendError}. */
export function createNotFoundHandler(options: SendErrorOptions = {}) {
  return (request: FastifyRequest, reply: FastifyReply) =>
    sendError(routeNotFoundError(request), request, reply, options);
}
