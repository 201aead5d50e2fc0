import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';

/** The OpenAPI document and its docs page. */
export interface OpenApiOptions {
  /** Title of the document. @default 'Model server' */
  readonly title?: string;
  /** Version of the API in the document. @default the plugin's version */
  readonly version?: string;
  /** One paragraph on the server. */
  readonly description?: string;
  /** Serve the docs page (Swagger UI, assets served by the server itself) at `/docs`. @default true */
  readonly docs?: boolean;
}

/**
 * Registers @fastify/swagger, which collects every route registered after it, with the zod type
 * provider's transform (route schemas become OpenAPI 3.1 / JSON Schema 2020-12), and serves the
 * document at `GET /openapi.json`; with `docs`, Swagger UI at `/docs`.
 */
export async function registerOpenApi(
  app: FastifyInstance,
  options: OpenApiOptions & { defaultVersion: string },
): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title ?? 'Model server',
        version: options.version ?? options.defaultVersion,
        ...(options.description ? { description: options.description } : {}),
      },
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'The admin token (`ADMIN_TOKEN`) for the admin and repository routes',
          },
        },
      },
    },
    transform: createJsonSchemaTransform({ skipList: [] }),
  });
  app.get(
    '/openapi.json',
    { schema: { tags: ['Documentation'], summary: 'This OpenAPI 3.1 document' } },
    async () => app.swagger(),
  );
  if (options.docs !== false) {
    // Everything the page loads comes from this server: no CDN, and no call to the online
    // validator Swagger UI would otherwise send the document to.
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', validatorUrl: false });
  }
}
