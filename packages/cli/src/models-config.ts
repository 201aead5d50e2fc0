import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import {
  type ChecksumInput,
  ModelLoaderError,
  normaliseLockedPath,
  parseModelSource,
} from '@model-loader/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const checksumSchema = z.union([
  z.string(),
  z.object({ algorithm: z.string(), expected: z.string() }),
]);

const modelsConfigSchema = z.looseObject({
  /** Folder of the models, relative to the config file (or given with `--model-dir`). */
  modelDir: z.string().min(1).optional(),
  models: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        /** Path of the model file or folder, inside `modelDir`. */
        path: z.string().min(1),
        /** Expected checksum, or for a folder a record from file path to checksum. */
        checksum: z.union([checksumSchema, z.record(z.string(), checksumSchema)]).optional(),
        /** Where `pull` downloads the model from: https://, http:// or hf://org/repo/path@revision. */
        source: z.string().min(1).optional(),
        /** The server may load the model without a pin (then `verify` does not require one). */
        allowUnpinned: z.boolean().optional(),
      }),
    )
    .min(1),
});

/** One model of a models config. */
export interface ConfiguredModel {
  readonly name: string;
  /** Path relative to the model directory, normalised with `/`. */
  readonly path: string;
  readonly checksum?: ChecksumInput | Readonly<Record<string, ChecksumInput>>;
  /** Where `pull` downloads it from (for a folder: the base its file paths are appended to). */
  readonly source?: string;
  /** The model may run unpinned (the server's `allowUnpinned`): `verify` does not fail it. */
  readonly allowUnpinned?: boolean;
}

/** A models config, as `lock`, `verify` and `pull` read it. */
export interface ModelsConfig {
  /** Absolute model directory. */
  readonly modelDirectory: string;
  readonly models: readonly ConfiguredModel[];
}

/** Checks a parsed models config `{ modelDir, models: [{ name, path, checksum?, source? }] }`. */
export function parseModelsConfig(
  value: unknown,
  configPath: string,
  modelDirectoryOverride?: string,
): ModelsConfig {
  const parsed = modelsConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new ModelLoaderError('CONFIG_INVALID', `${configPath}: \`${field}\`: ${issue.message}`);
  }
  const names = new Set<string>();
  const models = parsed.data.models.map((model, index): ConfiguredModel => {
    if (names.has(model.name)) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `${configPath}: \`models.${index}.name\`: '${model.name}' is used twice`,
      );
    }
    names.add(model.name);
    const path = normaliseLockedPath(model.path);
    if (path === undefined) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `${configPath}: \`models.${index}.path\`: must be a relative path inside \`modelDir\``,
      );
    }
    // parseChecksum checks algorithm names and digests when the checksum is used.
    const checksum = model.checksum as ConfiguredModel['checksum'];
    if (model.source !== undefined) {
      try {
        parseModelSource(model.source);
      } catch (error) {
        throw new ModelLoaderError(
          'MODEL_SOURCE_INVALID',
          `${configPath}: \`models.${index}.source\`: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    return {
      name: model.name,
      path,
      ...(checksum === undefined ? {} : { checksum }),
      ...(model.source === undefined ? {} : { source: model.source }),
      ...(model.allowUnpinned === true ? { allowUnpinned: true } : {}),
    };
  });
  if (modelDirectoryOverride !== undefined) {
    return { modelDirectory: resolve(modelDirectoryOverride), models };
  }
  if (parsed.data.modelDir === undefined) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `${configPath}: \`modelDir\`: missing; add it or pass --model-dir`,
    );
  }
  return { modelDirectory: resolve(dirname(configPath), parsed.data.modelDir), models };
}

/** True for a `.yaml` or `.yml` file name. */
export function isYamlPath(path: string): boolean {
  const extension = extname(path).toLowerCase();
  return extension === '.yaml' || extension === '.yml';
}

/**
 * Parses the text of a models config: YAML for `.yaml`/`.yml` files (the servers' models file),
 * JSON otherwise.
 * @throws ModelLoaderError CONFIG_INVALID
 */
export function parseConfigText(text: string, configPath: string): unknown {
  const yaml = isYamlPath(configPath);
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `${configPath}: not valid ${yaml ? 'YAML' : 'JSON'} (${(error as Error).message})`,
    );
  }
}

/** Reads a models config file (YAML for `.yaml`/`.yml`, else JSON). */
export async function readModelsConfig(
  configPath: string,
  modelDirectoryOverride?: string,
): Promise<ModelsConfig> {
  const text = await readFile(configPath, 'utf8');
  return parseModelsConfig(parseConfigText(text, configPath), configPath, modelDirectoryOverride);
}
