import { listRoutes } from '@model-loader/fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { startTestApp } from './test-support/test-server.js';

describe('the OpenAPI document of the LLM server', () => {
  it('is valid OpenAPI 3.1 and lists every route with its schemas', async () => {
    const app = await startTestApp({
      load: false,
      env: { ADMIN_TOKEN: 'a-long-admin-token-0123456789' },
    });
    const document = (await app.inject('/openapi.json')).json();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    const routes = listRoutes(app).filter((route) => !route.path.startsWith('/docs'));
    const missing = routes.filter(
      (route) => document.paths?.[route.path]?.[route.method.toLowerCase()] === undefined,
    );
    expect(missing).toEqual([]);
    for (const path of ['/inference', '/v1/chat/completions', '/v1/completions', '/v1/models']) {
      expect(Object.keys(document.paths), path).toContain(path);
    }
    const chat = document.paths['/v1/chat/completions'].post;
    expect(chat.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'messages',
    );
  });

  it('serves /openapi.json and /docs unless OPENAPI=false or API_DOCS=false', async () => {
    const noDocs = await startTestApp({ load: false, env: { API_DOCS: 'false' } });
    expect((await noDocs.inject('/openapi.json')).statusCode).toBe(200);
    expect((await noDocs.inject('/docs/')).statusCode).toBe(404);
    const none = await startTestApp({ load: false, env: { OPENAPI: 'false' } });
    expect((await none.inject('/openapi.json')).statusCode).toBe(404);
  });
});
