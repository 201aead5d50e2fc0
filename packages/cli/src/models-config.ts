import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type ChecksumInput, ModelLoaderError, normaliseLockedPath } from '@model-loader/core';
import { z } from 'zod';

const checksumSchema = z.union([
  z.string(),
  z.object({ algorithm: z.string(), expected: z.string() }),
]);

const modelsConfigSchema = z.looseObject({
  /** Folder of the models, relative to the config file. */
  modelDir: z.string().min(1),
  models: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        /** Path of the model file or folder, inside `modelDir`. */
        path: z.string().min(1),
        /** Expected checksum, or for a folder a record from file path to checksum. */
        checksum: z.union([checksumSchema, z.record(z.string(), checksumSchema)]).optional(),
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
  /** The model may run unpinned (the server's `allowUnpinned`): `verify` does not fail it. */
  readonly allowUnpinned?: boolean;
}

/** A models config, as `lock` and `verify` read it. */
export interface ModelsConfig {
  /** Absolute model directory. */
  readonly modelDirectory: string;
  readonly models: readonly ConfiguredModel[];
}

/** Checks parsed JSON as a models config `{ modelDir, models: [{ name, path, checksum? }] }`. */
export function parseModelsConfig(value: unknown, configPath: string): ModelsConfig {
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
    return {
      name: model.name,
      path,
      ...(checksum === undefined ? {} : { checksum }),
      ...(model.allowUnpinned === true ? { allowUnpinned: true } : {}),
    };
  });
  return { modelDirectory: resolve(dirname(configPath), parsed.data.modelDir), models };
}

/** Reads a models config file (JSON). */
export async function readModelsConfig(configPath: string): Promise<ModelsConfig> {
  const text = await readFile(configPath, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `${configPath}: not valid JSON (${(error as Error).message})`,
    );
  }
  return parseModelsConfig(value, configPath);
}
