import { describe, expect, it } from 'vitest';
import {
  handleOf,
  slowModel,
  startTestApp,
  testAdapter,
  waitFor,
} from './test-support/test-server.js';

const post = (url: string, payload: object) => ({ method: 'POST' as const, url, payload });

describe('POST /inference', () => {
  it('completes the prompt and reports usage and timings', async () => {
    const app = await startTestApp();
    const response = await app.inject(
      post('/inference', { model_name: 'summariser', prompt: 'Hello', max_tokens: 8, seed: 1 }),
    );
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      model: 'summariser',
      finish_reason: 'length',
      usage: { completion_tokens: 8 },
    });
    expect(typeof body.text).toBe('string');
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 8);
    expect(Object.keys(body.timings)).toEqual([
      'queued_ms',
      'time_to_first_token_ms',
      'total_ms',
      'tokens_per_second',
    ]);
    // Greedy decoding of the same prompt gives the same text.
    const again = await app.inject(
      post('/inference', { model_name: 'summariser', prompt: 'Hello', max_tokens: 8 }),
    );
    expect(again.json().text).toBe(body.text);
    const optional = await app.inject(
      post('/inference', { model_name: 'bns_check', prompt: 'Hi', max_tokens: 2 }),
    );
    expect(optional.json().usage.completion_tokens).toBe(2);
  });

  it('answers 400 for bad input, naming the field', async () => {
    const app = await startTestApp();
    const cases: [object, RegExp][] = [
      [{ prompt: 'x' }, /model_name/],
      [{ model_name: 'summariser' }, /prompt/],
      [{ model_name: 'summariser', prompt: 'x', max_tokens: 0 }, /max_tokens/],
      [{ model_name: 'summariser', prompt: 'x', temperature: 3 }, /temperature/],
      [{ model_name: 'summariser', prompt: 'x', top_p: 0 }, /top_p/],
      [{ model_name: 'summariser', prompt: 'x', stop: ['a', 'b', 'c', 'd', 'e'] }, /stop/],
      [{ model_name: 'summariser', prompt: 'x', seed: 1.5 }, /seed/],
      [{ model_name: 'summariser', prompt: 'x', extra: true }, /extra/],
      [{ model_name: '../etc', prompt: 'x' }, /model_name/],
    ];
    for (const [payload, field] of cases) {
      const response = await app.inject(post('/inference', payload));
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('REQUEST_INVALID');
      expect(response.json().error.message).toMatch(field);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/inference',
      headers: { 'content-type': 'application/json' },
      payload: '{"model_name":',
    });
    expect(notJson.statusCode).toBe(400);
  });

  it('answers 400 with a clear message when the prompt does not fit the context', async () => {
    const app = await startTestApp();
    const long = await app.inject(
      post('/inference', { model_name: 'summariser', prompt: 'hello world '.repeat(100) }),
    );
    expect(long.statusCode).toBe(400);
    expect(long.json().error.code).toBe('CONTEXT_LENGTH_EXCEEDED');
    expect(long.json().error.message).toMatch(
      /^The prompt is \d+ tokens long, but model 'summariser' has a context of 512 tokens\. Shorten the prompt\.$/,
    );
    const tooMany = await app.inject(
      post('/inference', { model_name: 'summariser', prompt: 'Hello', max_tokens: 600 }),
    );
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toMatch(
      /^Model 'summariser' has a context of 512 tokens, but \d+ were requested \(\d+ in the prompt, 600 to generate\)\. Shorten the prompt or lower max_tokens\.$/,
    );
    expect(handleOf(app).pool.activeCount).toBe(0);
  });

  it('answers 404 for an unknown model', async () => {
    const app = await startTestApp();
    const response = await app.inject(post('/inference', { model_name: 'nope', prompt: 'x' }));
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: {
        code: 'MODEL_NOT_REGISTERED',
        message: "Model 'nope' is not registered. Registered models: summariser, bns_check",
      },
    });
  });
});

describe('health and failed models', () => {
  it('reports loading, then healthy, while the server answers', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const app = await startTestApp({
      load: false,
      adapter: {
        ...testAdapter,
        load: async (path, options, context) => {
          await gate;
          return testAdapter.load(path, options, context);
        },
      },
    });
    const loading = app.models.loadInBackground();
    await waitFor(() => app.models.loader.getModelInfo('summariser').state === 'loading');
    const during = await app.inject('/health');
    expect(during.statusCode).toBe(503);
    expect(during.json()).toMatchObject({ status: 'loading', loaded_count: 0, total_count: 2 });
    const early = await app.inject(post('/inference', { model_name: 'summariser', prompt: 'x' }));
    expect(early.statusCode).toBe(503);
    expect(early.json()).toEqual({
      error: {
        code: 'MODEL_NOT_AVAILABLE',
        message: "Model 'summariser' is not available (status: loading).",
      },
    });
    open();
    await loading;
    const after = await app.inject('/health');
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ status: 'healthy', loaded_count: 2 });
  });

  it('stays up but unhealthy when a required model fails, and answers 503 with its load error', async () => {
    const app = await startTestApp({
      models: [
        { name: 'summariser', file: 'broken' },
        { name: 'bns_check', required: false },
      ],
    });
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'unhealthy',
      models_loaded: { summariser: false, bns_check: true },
    });
    const response = await app.inject(
      post('/inference', { model_name: 'summariser', prompt: 'x' }),
    );
    expect(response.statusCode).toBe(503);
    const { code, message } = response.json().error;
    expect(code).toBe('MODEL_NOT_AVAILABLE');
    expect(message).toMatch(
      /^Model 'summariser' is not available \(status: failed\)\.\nLoading failed with: .*tensor/s,
    );
    expect(message).not.toContain(app.models.loader.modelDir);
    const openAi = await app.inject(
      post('/v1/chat/completions', {
        model: 'summariser',
        messages: [{ role: 'user', content: 'x' }],
      }),
    );
    expect(openAi.statusCode).toBe(503);
    expect(openAi.json().error).toMatchObject({
      type: 'server_error',
      code: 'MODEL_NOT_AVAILABLE',
    });
    // The optional model still serves.
    const other = await app.inject(
      post('/inference', { model_name: 'bns_check', prompt: 'x', max_tokens: 1 }),
    );
    expect(other.statusCode).toBe(200);
  });

  it('is degraded when only the optional model fails', async () => {
    const app = await startTestApp({
      models: [{ name: 'summariser' }, { name: 'bns_check', required: false, file: 'broken' }],
    });
    const health = await app.inject('/health');
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('degraded');
  });
});

describe('OpenAI-compatible routes through inject', () => {
  it('lists the models', async () => {
    const app = await startTestApp();
    const response = await app.inject('/v1/models');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      object: 'list',
      data: [
        { id: 'summariser', object: 'model', owned_by: 'model-loader', ready: true },
        { id: 'bns_check', object: 'model', owned_by: 'model-loader', ready: true },
      ],
    });
  });

  it('answers chat and text completions, with OpenAI error bodies for bad input', async () => {
    const app = await startTestApp();
    const chat = await app.inject(
      post('/v1/chat/completions', {
        model: 'summariser',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
        ],
        max_completion_tokens: 4,
        temperature: 0.7,
        seed: 3,
        stop: '\n\n',
        user: 'ignored-field',
      }),
    );
    expect(chat.statusCode).toBe(200);
    expect(chat.json()).toMatchObject({
      object: 'chat.completion',
      model: 'summariser',
      choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'length' }],
      usage: { completion_tokens: 4 },
    });
    expect(chat.json().id).toMatch(/^chatcmpl-/);
    const text = await app.inject(
      post('/v1/completions', { model: 'summariser', prompt: ['Once'], max_tokens: 3 }),
    );
    expect(text.json()).toMatchObject({
      object: 'text_completion',
      choices: [{ index: 0, finish_reason: 'length', logprobs: null }],
      usage: { completion_tokens: 3 },
    });
    const bad = await app.inject(
      post('/v1/chat/completions', { model: 'summariser', messages: [] }),
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages',
      code: 'REQUEST_INVALID',
    });
    expect(bad.json().error.message).toContain('give at least one message');
    const many = await app.inject(
      post('/v1/completions', { model: 'summariser', prompt: 'x', n: 2 }),
    );
    expect(many.statusCode).toBe(400);
    expect(many.json().error).toMatchObject({ code: 'REQUEST_UNSUPPORTED', param: 'n' });
    expect(many.json().error.message).toContain('only n = 1 is supported');
    const tooLong = await app.inject(
      post('/v1/chat/completions', {
        model: 'summariser',
        messages: [{ role: 'user', content: 'hello world '.repeat(100) }],
      }),
    );
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages',
      code: 'CONTEXT_LENGTH_EXCEEDED',
    });
    const missing = await app.inject('/v1/nothing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ type: 'not_found_error', code: 'NOT_FOUND' });
  });

  it('streams server-sent events ending with [DONE]', async () => {
    const app = await startTestApp();
    const response = await app.inject(
      post('/v1/completions', {
        model: 'summariser',
        prompt: 'Once',
        max_tokens: 5,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = response.body.split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, '')));
    expect(chunks.at(-1)).toMatchObject({ choices: [], object: 'text_completion' });
    expect(chunks.at(-1).usage.completion_tokens).toBe(5);
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe('length');
    const text = await app.inject(
      post('/v1/completions', { model: 'summariser', prompt: 'Once', max_tokens: 5 }),
    );
    expect(
      chunks
        .slice(0, -2)
        .map((chunk) => chunk.choices[0].text)
        .join(''),
    ).toBe(text.json().choices[0].text);
  });
});

describe('limits', () => {
  it('queues requests beyond the context pool, completes them all, and answers 503 when the queue is full', async () => {
    const app = await startTestApp({
      models: [
        {
          name: 'summariser',
          file: slowModel,
          options: { contextSize: 512, parallelSequences: 2 },
          limits: { concurrency: 4, maxQueue: 1 },
        },
      ],
    });
    const request = () =>
      app.inject(post('/inference', { model_name: 'summariser', prompt: 'x', max_tokens: 150 }));
    const accepted = [request(), request(), request(), request(), request()];
    // 2 generating, 2 waiting for a sequence of the context, 1 in the server's queue.
    await waitFor(() => app.models.requestStats('summariser').pendingCount === 1);
    expect(handleOf(app).pool).toEqual({ size: 2, activeCount: 2, pendingCount: 2 });
    const refused = await request();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().error.code).toBe('MODEL_BUSY');
    const answers = await Promise.all(accepted);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((answer) => answer.json().usage.completion_tokens)).toEqual([
      150, 150, 150, 150, 150,
    ]);
    expect(handleOf(app).pool).toEqual({ size: 2, activeCount: 0, pendingCount: 0 });
  });

  it('aborts a generation that passes the request timeout and gives its sequence back', async () => {
    const app = await startTestApp({
      models: [
        {
          name: 'summariser',
          file: slowModel,
          options: { contextSize: 2048, parallelSequences: 1 },
        },
      ],
      env: { REQUEST_TIMEOUT_MS: '300' },
    });
    const started = performance.now();
    const response = await app.inject(
      post('/inference', { model_name: 'summariser', prompt: 'x', max_tokens: 2000 }),
    );
    expect(response.statusCode).toBe(504);
    expect(response.json()).toEqual({
      error: {
        code: 'REQUEST_TIMEOUT',
        message: "Model 'summariser' did not answer within 300 ms; the work was aborted",
      },
    });
    await waitFor(() => handleOf(app).pool.activeCount === 0, 3500);
    expect(performance.now() - started).toBeLessThan(4000);
    const next = await app.inject(
      post('/inference', { model_name: 'summariser', prompt: 'x', max_tokens: 2 }),
    );
    expect(next.statusCode).toBe(200);
  });
});
