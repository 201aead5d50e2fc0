import { chmod, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  containerState,
  docker,
  dockerOk,
  dockerUnavailable,
  freePort,
  nodeImage,
  repoRoot,
  waitForOk,
} from './docker.js';

const unavailable = await dockerUnavailable();
if (unavailable) {
  console.warn(
    `test:docker SKIPPED: Docker does not answer (${unavailable}). Start a Docker daemon and run it again.`,
  );
}

/** The CPU image's budget (issue 13), in bytes as `docker image inspect` counts them. */
const maxImageSizeInBytes = 500 * 1000 * 1000;
/** `docker stop -t`: the compose file's stop_grace_period, above the apps' 30 s drain. */
const stopGraceInSeconds = 35;

/** A directory the image's uid 1000 can read (mkdtemp makes 0700 folders). */
async function readableTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    await chmod(join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644);
  }
}

/** Every path under `dir` with its size and modification time. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const lines = await Promise.all(
    entries.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      const info = await stat(path);
      return `${path.slice(dir.length)} ${info.size} ${info.mtimeMs}`;
    }),
  );
  return lines.sort();
}

/** Black text on white rendered by sharp from SVG. */
function textPng(text: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="420" height="80"><rect width="100%" height="100%" fill="#fff"/><text x="24" y="52" font-family="DejaVu Sans" font-size="32" fill="#000">${text}</text></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

interface AppCase {
  readonly app: 'llm-server' | 'asr-ocr-server';
  readonly port: number;
  /** Writes the demo models into `dir` and returns the models file's name in it. */
  readonly demoModels: (dir: string) => Promise<string>;
  /** Waits for what the request needs beyond /health/ready, sends it and checks the answer. */
  readonly request: (baseUrl: string, container: string) => Promise<void>;
}

const apps: readonly AppCase[] = [
  {
    app: 'llm-server',
    port: 8080,
    demoModels: async (dir) => {
      const { ensureDemoModels } = await import('@model-loader/llm-server');
      const { modelsFile } = await ensureDemoModels(dir);
      return modelsFile.slice(dir.length + 1);
    },
    request: async (baseUrl) => {
      const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: 'summariser',
        messages: [{ role: 'user', content: 'Say hello.' }],
        max_tokens: 8,
      });
      expect(completion.object).toBe('chat.completion');
      expect(completion.model).toBe('summariser');
      expect(completion.choices[0]?.message.role).toBe('assistant');
      expect(typeof completion.choices[0]?.message.content).toBe('string');
      expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    },
  },
  {
    app: 'asr-ocr-server',
    port: 8081,
    demoModels: async (dir) => {
      const { prepareDemoModels } = await import('@model-loader/asr-ocr-server');
      return (await prepareDemoModels(dir)).modelsFile.slice(dir.length + 1);
    },
    request: async (baseUrl, container) => {
      // The demo's OCR model is optional: /health/ready does not wait for it.
      await waitForOk(`${baseUrl}/v2/models/ocr/ready`, container, 120_000);
      const form = new FormData();
      const png = await textPng('Model loader 42');
      form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'text.png');
      const response = await fetch(`${baseUrl}/ocr`, { method: 'POST', body: form });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ success: true, text: 'Model loader 42' });
    },
  },
];

/** Measured figures, printed at the end for deploy/README.md. */
const figures: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  if (figures.length > 0) console.log(`test:docker figures:\n${figures.join('\n')}`);
});

describe.skipIf(unavailable !== undefined).each(apps)(
  'the $app image',
  ({ app, port, demoModels, request }) => {
    const tag = `model-loader/${app}:test`;

    it('builds from the repository with only the npm registry and Debian', async () => {
      const base = await docker(['image', 'inspect', nodeImage]);
      expect(
        base.code,
        `base image ${nodeImage} is missing: build it (see deploy/README.md) or set MODEL_LOADER_NODE_IMAGE`,
      ).toBe(0);
      const started = performance.now();
      await dockerOk(
        [
          'build',
          '--network',
          'host',
          '-f',
          join(repoRoot, 'deploy', 'docker', 'app.Dockerfile'),
          '--build-arg',
          `NODE_IMAGE=${nodeImage}`,
          '--build-arg',
          `APP=${app}`,
          '--build-arg',
          `PORT=${port}`,
          '-t',
          tag,
          repoRoot,
        ],
        30 * 60_000,
      );
      figures.push(`${app}: build ${((performance.now() - started) / 1000).toFixed(0)} s`);
    });

    it('is a CPU image within 500 MB that runs as a non-root user', async () => {
      const [user, size] = (
        await dockerOk(['image', 'inspect', '--format', '{{.Config.User}} {{.Size}}', tag])
      ).split(' ');
      expect(user).toBe('1000:1000');
      expect(Number(size)).toBeLessThanOrEqual(maxImageSizeInBytes);
      figures.push(`${app}: image ${(Number(size) / 1e6).toFixed(0)} MB`);
      // Native libraries of a GPU backend (node-llama-cpp leaves small `*-cuda.moved.txt` notes).
      const gpuBinaries = await dockerOk([
        'run',
        '--rm',
        '--pull',
        'never',
        '--entrypoint',
        'find',
        tag,
        '/app',
        '(',
        '-path',
        '*cuda*',
        '-o',
        '-path',
        '*vulkan*',
        ')',
        '(',
        '-name',
        '*.so*',
        '-o',
        '-name',
        '*.node',
        ')',
        '-print',
      ]);
      expect(gpuBinaries).toBe('');
      // Our own packages ship their build only: no sources, no tests.
      const ownSources = await dockerOk([
        'run',
        '--rm',
        '--pull',
        'never',
        '--entrypoint',
        'sh',
        tag,
        '-c',
        'find /app/dist /app/node_modules/.pnpm/@model-loader+*/node_modules/@model-loader/* \\( -name "*.test.*" -o -name src -o -name "*.ts" ! -name "*.d.ts" \\) -print',
      ]);
      expect(ownSources).toBe('');
    });

    it('serves the demo models mounted read-only, answers a real request, and stops with 0 on docker stop', async () => {
      const modelDir = await mkdtemp(join(tmpdir(), `docker-${app}-models-`));
      cleanups.push(() => rm(modelDir, { recursive: true, force: true }));
      const modelsFile = await demoModels(modelDir);
      await readableTree(modelDir);
      const filesBefore = await listTree(modelDir);
      const hostPort = await freePort();
      const container = await dockerOk([
        'run',
        '--pull',
        'never',
        '-d',
        '--network',
        'host',
        '-v',
        `${modelDir}:/models:ro`,
        '-e',
        `MODELS_FILE=/models/${modelsFile}`,
        '-e',
        `PORT=${hostPort}`,
        '-e',
        'LLM_THREADS=1',
        tag,
      ]);
      cleanups.push(() => docker(['rm', '-f', container]));
      const baseUrl = `http://127.0.0.1:${hostPort}`;
      await waitForOk(`${baseUrl}/health/ready`, container, 180_000);
      const uid = await dockerOk(['exec', container, 'node', '-p', 'process.getuid()']);
      expect(uid).toBe('1000');
      await request(baseUrl, container);

      const started = performance.now();
      const stop = await docker(['stop', '-t', String(stopGraceInSeconds), container], 120_000);
      const stopInMs = performance.now() - started;
      expect(stop.code).toBe(0);
      // Killed after the grace, the exit code would be 137: 0 means it drained and exited itself.
      const state = await containerState(container);
      expect(state).toMatchObject({ Running: false, ExitCode: 0 });
      figures.push(`${app}: docker stop ${(stopInMs / 1000).toFixed(1)} s`);
      const logs = await docker(['logs', container]);
      expect(`${logs.stdout}${logs.stderr}`).not.toMatch(/EACCES|EROFS/);
      expect(await listTree(modelDir)).toEqual(filesBefore);
    });

    it('without a models file prints one coded line and exits 2', async () => {
      const result = await docker(
        ['run', '--rm', '--pull', 'never', '--network', 'host', tag],
        120_000,
      );
      expect(result.code).toBe(2);
      const lines = `${result.stdout}${result.stderr}`.trimEnd().split('\n');
      expect(lines).toEqual([
        `${app}: CONFIG_INVALID: No models file: MODELS_FILE is not set and the working directory has none of models.yaml, models.yml, models.json. Create one, set MODELS_FILE to its path, or start the demo models with DEMO=1.`,
      ]);
    });
  },
);
