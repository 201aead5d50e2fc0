import { ModelLoader } from '@model-loader/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { modelLoaderPlugin } from '../model-loader-plugin.js';
import { buildApp, createModelDir } from '../test-support/test-app.js';
import { listRoutes } from './list-routes.js';

const token = 'a-long-admin-token-0123456789';

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3.1 document listing every route, the app’s own included', async () => {
    const modelDir = await createModelDir();
    const app = await buildApp(
      { loader: new ModelLoader({ modelDir }), adminToken: token, openapi: { title: 'Test' } },
      {},
      (app) => {
        app.setValidatorCompiler(validatorCompiler);
        app.post(
          '/echo/:id',
          {
            schema: { params: z.object({ id: z.string() }), body: z.object({ text: z.string() }) },
          },
          async () => ({}),
        );
      },
    );
    const response = await app.inject('/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document).toMatchObject({ openapi: '3.1.0', info: { title: 'Test' } });
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    const routes = listRoutes(app).filter((route) => !route.path.startsWith('/docs'));
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter(
      (route) => document.paths?.[route.path]?.[route.method.toLowerCase()] === undefined,
    );
    expect(missing).toEqual([]);
    // The zod schemas became JSON Schema: parameters and the request body are described.
    const echo = document.paths['/echo/{id}'].post;
    expect(echo.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
    expect(echo.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    });
    expect(document.paths['/v2/repository/index'].post.security).toEqual([{ bearerAuth: [] }]);
  });

  it('serves the docs page and its assets from the server itself', async () => {
    const modelDir = await createModelDir();
    const app = await buildApp({ loader: new ModelLoader({ modelDir }) });
    const page = await app.inject('/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset, asset).not.toMatch(/^(https?:)?\/\//);
      const url = new URL(asset, 'http://localhost/docs/').pathname;
      expect((await app.inject(url)).statusCode, url).toBe(200);
    }
  });

  it('can be turned off, the docs page alone or both', async () => {
    const modelDir = await createModelDir();
    const noDocs = await buildApp({
      loader: new ModelLoader({ modelDir }),
      openapi: { docs: false },
    });
    expect((await noDocs.inject('/openapi.json')).statusCode).toBe(200);
    expect((await noDocs.inject('/docs/')).statusCode).toBe(404);
    const none = await buildApp({ loader: new ModelLoader({ modelDir }), openapi: false });
    expect((await none.inject('/openapi.json')).statusCode).toBe(404);
    expect((await none.inject('/docs/')).statusCode).toBe(404);
  });

  it('refuses a bad openapi option naming it', async () => {
    const modelDir = await createModelDir();
    const app = Fastify();
    await expect(
      app
        .register(modelLoaderPlugin, {
          loader: new ModelLoader({ modelDir }),
          openapi: { docs: 'yes' } as never,
        })
        .ready(),
    ).rejects.toThrow('`openapi`');
    await app.close();
  });
});
