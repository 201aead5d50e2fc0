import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the test server answers one path. */
export interface TestRoute {
  /** The bytes of the file. */
  readonly body?: Buffer;
  /** Strong ETag sent (and checked against If-Range). @default a hash-like tag of `body`; `false` for none */
  readonly etag?: string | false;
  /** Last-Modified sent (and checked against If-Range when there is no ETag). `false` for none. */
  readonly lastModified?: string | false;
  /** Answer every request with the whole body and 200, as a server without range support does. */
  readonly ignoreRange?: boolean;
  /** Destroy the connection after sending this many body bytes (of each response). */
  readonly dropAfterBytes?: number;
  /** Drop only the first this many responses. @default every response */
  readonly dropTimes?: number;
  /**
   * Awaited between sending the bytes and dropping, for example until the client has written them
   * (a fetch body stream discards chunks still queued when the connection fails).
   */
  readonly beforeDrop?: () => Promise<void>;
  /** Send this many body bytes, then keep the connection open and send nothing more. */
  readonly stallAfterBytes?: number;
  /** Answer with this status (and no body) the first `failTimes` requests. */
  readonly failStatus?: number;
  /** @default every request */
  readonly failTimes?: number;
  /** Answer `302 Location: <redirectTo>` (relative or absolute). */
  readonly redirectTo?: string;
  /** Status of the redirect. @default 302 */
  readonly redirectStatus?: number;
}

/** One request the server saw. */
export interface SeenRequest {
  readonly path: string;
  readonly range?: string;
  readonly ifRange?: string;
  readonly authorization?: string;
  readonly status: number;
}

/** A running test server. */
export interface RangeTestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every request, in order. */
  readonly requests: SeenRequest[];
  /** Replaces (or adds) the route of a path. */
  route(path: string, route: TestRoute): void;
  /** Cuts every stalled response (the client sees a dropped connection). */
  releaseStalled(): void;
  /** Ends stalled responses and closes the server. */
  close(): Promise<void>;
}

function defaultEtag(body: Buffer): string {
  let hash = 2166136261;
  for (const byte of body) hash = Math.imul(hash ^ byte, 16777619) >>> 0;
  return `"${body.length.toString(16)}-${hash.toString(16)}"`;
}

/**
 * A real node:http server on 127.0.0.1 for download tests: byte ranges with If-Range (RFC 9110),
 * and the failure modes a pull must survive (dropped connections, no range support, wrong bytes,
 * error statuses, stalls, redirects). Nothing is mocked: clients talk to it over TCP.
 */
export async function startRangeTestServer(
  routes: Readonly<Record<string, TestRoute>> = {},
): Promise<RangeTestServer> {
  const table = new Map(Object.entries(routes));
  const counts = new Map<string, { fails: number; drops: number }>();
  const requests: SeenRequest[] = [];
  const stalled = new Set<ServerResponse>();

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = table.get(path);
    const count = counts.get(path) ?? { fails: 0, drops: 0 };
    counts.set(path, count);
    const seen = (status: number) =>
      requests.push({
        path,
        status,
        ...(request.headers.range ? { range: request.headers.range } : {}),
        ...(typeof request.headers['if-range'] === 'string'
          ? { ifRange: request.headers['if-range'] }
          : {}),
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      });
    if (route === undefined) {
      seen(404);
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (route.failStatus !== undefined && count.fails < (route.failTimes ?? Infinity)) {
      count.fails++;
      seen(route.failStatus);
      response.writeHead(route.failStatus, { 'content-type': 'text/plain' }).end('failure');
      return;
    }
    if (route.redirectTo !== undefined) {
      const status = route.redirectStatus ?? 302;
      seen(status);
      response.writeHead(status, { location: route.redirectTo }).end();
      return;
    }
    const body = route.body ?? Buffer.alloc(0);
    const etag = route.etag === false ? undefined : (route.etag ?? defaultEtag(body));
    const lastModified = route.lastModified === false ? undefined : route.lastModified;
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      ...(etag ? { etag } : {}),
      ...(lastModified ? { 'last-modified': lastModified } : {}),
      ...(route.ignoreRange ? {} : { 'accept-ranges': 'bytes' }),
    };
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const ifRange = request.headers['if-range'];
    const validatorMatches =
      ifRange === undefined || ifRange === etag || (etag === undefined && ifRange === lastModified);
    if (range && !route.ignoreRange && validatorMatches) {
      start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        seen(416);
        response.writeHead(416, { ...headers, 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${body.length}`;
    }
    const part = body.subarray(start);
    seen(status);
    response.writeHead(status, { ...headers, 'content-length': String(part.length) });
    const dropAt =
      route.dropAfterBytes !== undefined && count.drops < (route.dropTimes ?? Infinity)
        ? route.dropAfterBytes
        : undefined;
    if (dropAt !== undefined) {
      count.drops++;
      // A FIN after the bytes (not a reset, which would make the client's kernel discard them),
      // as when a proxy dies mid-transfer.
      response.write(part.subarray(0, dropAt), () => {
        void (route.beforeDrop?.() ?? Promise.resolve()).finally(() => response.socket?.end());
      });
      return;
    }
    if (route.stallAfterBytes !== undefined) {
      response.write(part.subarray(0, route.stallAfterBytes));
      stalled.add(response);
      response.on('close', () => stalled.delete(response));
      return;
    }
    response.end(part);
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    route(path, route) {
      table.set(path, route);
      counts.delete(path);
    },
    releaseStalled() {
      for (const response of stalled) response.destroy();
    },
    async close() {
      for (const response of stalled) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
