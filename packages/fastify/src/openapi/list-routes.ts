import type { FastifyInstance } from 'fastify';

/** One route: its method and its URL in OpenAPI's form (`/models/{name}`). */
export interface RouteEntry {
  readonly method: string;
  readonly path: string;
}

/**
 * Every route of a ready app but the automatic HEAD ones, read from Fastify's own router
 * (`printRoutes`), independently of @fastify/swagger: a check that the OpenAPI document leaves no
 * route out compares the two.
 */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  const routes: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = line.match(/^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/u);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    if (!match[3]) continue;
    const path = stack.join('').replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of match[3].split(', ')) {
      if (method !== 'HEAD' && method !== '-') routes.push({ method, path });
    }
  }
  return routes;
}
