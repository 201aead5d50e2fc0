// A model server for the shutdown test, run in a child process: `node --import tsx shutdown-child.ts`.
import { setTimeout as sleep } from 'node:timers/promises';
import { ModelLoader } from '@model-loader/core';
import Fastify from 'fastify';
import { startServer } from '../config/start-server.js';
import { modelLoaderPlugin } from '../model-loader-plugin.js';

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const modelDir = process.env.MODEL_DIR ?? '';
const workInMs = Number(process.env.WORK_MS ?? '500');
const graceInMs = Number(process.env.GRACE_MS ?? '5000');

const loader = new ModelLoader({ modelDir })
  .register({
    name: 'a',
    path: 'a.gguf',
    adapter: {
      kind: 'file',
      load: async () => ({ name: 'a' }),
      dispose: () => say('disposed a'),
    },
  })
  .register({
    name: 'never',
    path: 'a.gguf',
    required: false,
    adapter: (_path, _options, context) =>
      new Promise((_resolve, reject) => {
        context.signal.addEventListener('abort', () => {
          say('load of never aborted');
          reject(context.signal.reason);
        });
      }),
  });

const app = Fastify({
  logger: process.env.LOG === '1',
  return503OnClosing: true,
  forceCloseConnections: 'idle',
});
await app.register(modelLoaderPlugin, { loader, metrics: false });
app.get('/work', async () =>
  app.models.run('a', async () => {
    say('work started');
    await sleep(workInMs);
    return { done: true };
  }),
);
const { address } = await startServer(
  app,
  { host: '127.0.0.1', port: 0, shutdownGraceInMs: graceInMs },
  { drainDelayInMs: 300 },
);
say(`listening ${address}`);
