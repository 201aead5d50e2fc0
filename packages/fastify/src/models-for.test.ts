import { ModelLoader } from '@model-loader/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { FastifyModels } from './fastify-models.js';
import { modelsFor } from './models-for.js';
import {
  buildApp,
  createModelDir,
  createTestLoader,
  ggufBytes,
  type TestModel,
} from './test-support/test-app.js';

describe('modelsFor', () => {
  it('types run by the loader registration and refuses another loader', async () => {
    const modelDir = await createModelDir({ 'a.gguf': ggufBytes() });
    const loader = new ModelLoader({ modelDir }).register({
      name: 'a',
      path: 'a.gguf',
      adapter: createTestLoader().load,
    });
    const app = await buildApp({ loader });
    await app.models.loadInBackground();
    const models = modelsFor(app, loader);
    const id = await models.run('a', (model) => {
      expectTypeOf(model).toEqualTypeOf<TestModel>();
      return model.id;
    });
    expect(id).toBe(1);
    // Without a registration the HTTP layer knows any name and an `unknown` model.
    expectTypeOf<Parameters<Parameters<FastifyModels['run']>[1]>[0]>().toEqualTypeOf<unknown>();
    expect(() => modelsFor(app, new ModelLoader({ modelDir }))).toThrow(
      'modelsFor: `loader` is not the loader given to the model-loader plugin',
    );
    await app.close();
  });
});
