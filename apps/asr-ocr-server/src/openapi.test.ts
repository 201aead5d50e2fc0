import { listRoutes } from '@model-loader/fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { createTestConfig } from './test-support/test-server.js';

describe('the OpenAPI document of the ASR/OCR server', () => {
  it('is valid OpenAPI 3.1 and lists every route', async () => {
    const config = await createTestConfig({
      env: { ADMIN_TOKEN: 'a-long-admin-token-0123456789' },
    });
    const app = await buildApp(config, { logger: false });
    try {
      await app.ready();
      const document = (await app.inject('/openapi.json')).json();
      const result = await new Validator().validate(document);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      const routes = listRoutes(app).filter((route) => !route.path.startsWith('/docs'));
      const missing = routes.filter(
        (route) => document.paths?.[route.path]?.[route.method.toLowerCase()] === undefined,
      );
      expect(missing).toEqual([]);
      for (const path of ['/asr', '/ocr', '/v1/audio/transcriptions', '/v2/repository/index']) {
        expect(Object.keys(document.paths), path).toContain(path);
      }
      expect((await app.inject('/docs/')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
