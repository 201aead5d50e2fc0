import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { toErrorResponse } from '../errors/error-response.js';
import { HttpError, type HttpErrorCode } from '../errors/http-error.js';
import { sendError } from '../errors/send-error.js';

/** Node's HTTP parser errors, by code, as the codes of the error table. */
function parserError(error: NodeJS.ErrnoException): { code: HttpErrorCode; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'HEADERS_TOO_LARGE',
        message: "The request line and headers are larger than the server's limit",
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'ERR_HTTP_HEADERS_TIMEOUT':
      return {
        code: 'REQUEST_TOO_SLOW',
        message: 'The request was not received within the request timeout',
      };
    default:
      return {
        code: 'REQUEST_INVALID',
        message: `Malformed HTTP request${error.code?.startsWith('HPE_') ? ` (${error.code})` : ''}`,
      };
  }
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses before Fastify sees them
 * (headers over `maxHeaderSize` -> 431, a body longer than its Content-Length or both
 * Content-Length and Transfer-Encoding -> 400, slow headers -> 408) answer in the coded shape.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { code, message } = parserError(error);
  // No request or reply exists yet: the answer is written to the socket, from the same table.
  const response = toErrorResponse(new HttpError(code, message), []);
  const status = response.statusCode;
  const payload = JSON.stringify(response.body);
  const reason = {
    400: 'Bad Request',
    408: 'Request Timeout',
    431: 'Request Header Fields Too Large',
  }[status as 400 | 408 | 431];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
}

/** The router's errors, by Fastify code. */
const routerErrors: Record<string, { code: HttpErrorCode; message: string }> = {
  FST_ERR_BAD_URL: {
    code: 'REQUEST_INVALID',
    message: 'The URL is not valid: a percent-encoded sequence does not decode to UTF-8',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'URI_TOO_LONG',
    message: "A path segment of the URL is longer than the server's limit",
  },
};

/**
 * Fastify's `frameworkErrors`: a URL whose percent-encoding does not decode (`%zz`, the overlong
 * `%c0%ae`) answers 400 REQUEST_INVALID, a path parameter over `maxParamLength` 414 URI_TOO_LONG,
 * in the coded shape instead of Fastify's own body.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = routerErrors[error.code];
  // An unknown router error is the server's fault: the generic 500, logged with its stack.
  const coded = known ? new HttpError(known.code, known.message) : undefined;
  sendError(error, request, reply, { classify: () => toErrorResponse(coded, []) });
}

/** The Fastify constructor options that make the framework's own errors coded. */
export const codedFrameworkOptions: Pick<
  FastifyServerOptions,
  'clientErrorHandler' | 'frameworkErrors' | 'return503OnClosing'
> = {
  clientErrorHandler,
  frameworkErrors,
  // The plugin answers requests that arrive while closing with 503 SHUTTING_DOWN itself.
  return503OnClosing: false,
};
