import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { GgufAdapterSettings } from '@model-loader/adapter-gguf';
import { ModelLoaderError } from '@model-loader/core';
import {
  type DemoFields,
  demoModelsNotWritable,
  demoRequested,
  loadServerConfig,
  type ServerConfig,
} from '@model-loader/fastify';
import { z } from 'zod';
import { ensureDemoModels } from './demo-models.js';

/** Port of the LLM server unless PORT says otherwise. */
export const DEFAULT_PORT = 8080;

/** Requests per minute and client the demo allows (RATE_LIMIT_MAX overrides; 0 turns it off). */
export const DEMO_RATE_LIMIT_MAX = '600';

/** Everything `buildApp` needs: the server config plus the GGUF adapter settings. */
export interface LlmServerConfig extends ServerConfig, DemoFields {
  /** Settings of the GGUF adapter (GPU backend, threads). */
  readonly gguf: GgufAdapterSettings;
}

const llmEnvSchema = z.object({
  /** GPU backend: auto, false (CPU only), cuda, vulkan or metal. @default auto */
  LLM_GPU: z.enum(['auto', 'false', 'cuda', 'vulkan', 'metal']).default('auto'),
  /** CPU threads of llama.cpp. @default the machine's available parallelism minus one (at least 1) */
  LLM_THREADS: z.coerce.number().pipe(z.int().min(1)).optional(),
});

/** Options of {@link loadLlmServerConfig}. */
export interface LoadLlmServerConfigOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default process.cwd() */
  readonly cwd?: string;
}

/**
 * Reads the environment and the models file (see `@model-loader/fastify`'s `loadServerConfig`),
 * with PORT 8080 by default. With DEMO=1 (what `pnpm start` sets) it generates the demo models into
 * `./models` (or MODEL_DIR) on first start and serves them; never without it.
 * @throws ModelLoaderError CONFIG_INVALID naming the field and the fix, also when
 * there is no models file
 */
export async function loadLlmServerConfig(
  options: LoadLlmServerConfigOptions = {},
): Promise<LlmServerConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const given = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => name.startsWith('LLM_') && value),
  );
  const parsed = llmEnvSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `- \`${issue.path.join('.')}\`: ${issue.message}`,
    );
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid environment variables:\n${lines.join('\n')}\nFix or unset them and start again.`,
    );
  }
  let demo = false;
  let generatedDemoModels: readonly string[] = [];
  const serverEnv: Record<string, string | undefined> = {
    ...env,
    PORT: env.PORT || String(DEFAULT_PORT),
  };
  if (demoRequested(env)) {
    const demoDir = resolve(cwd, env.MODEL_DIR || 'models');
    const { modelsFile, generated } = await ensureDemoModels(demoDir).catch((cause: unknown) => {
      throw demoModelsNotWritable(demoDir, cause);
    });
    serverEnv.MODELS_FILE = modelsFile;
    generatedDemoModels = generated;
    // The demo is what people try first, often on a shared port: rate limited unless told not.
    serverEnv.RATE_LIMIT_MAX = env.RATE_LIMIT_MAX || DEMO_RATE_LIMIT_MAX;
    demo = true;
  }
  const server = await loadServerConfig({ adapterNames: ['gguf'], env: serverEnv, cwd });
  const { LLM_GPU, LLM_THREADS } = parsed.data;
  return {
    ...server,
    gguf: {
      gpu: LLM_GPU === 'false' ? false : LLM_GPU,
      // One core stays free for the event loop: llama.cpp's threads spin while they wait for each
      // other, and on a busy 2-core machine 2 threads made 200 tokens of the demo model take 22-31 s
      // instead of 0.15 s with 1 (measured, see README).
      threadCount: LLM_THREADS ?? Math.max(1, availableParallelism() - 1),
    },
    demo,
    generatedDemoModels,
  };
}
