import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type ChecksumInput, ModelLoaderError, normaliseLockedPath } from '@model-loader/core';
import { createModelsFileSchema, parseModelsFileText } from '@model-loader/core/models-file';

/** One model of a models file, as `lock`, `verify` and `pull` use it. */
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

/** A models file, as `lock`, `verify` and `pull` read it. */
export interface ModelsConfig {
  /** Absolute model directory. */
  readonly modelDirectory: string;
  readonly models: readonly ConfiguredModel[];
}

// Without adapter names: the CLI loads nothing, so `adapter` is optional and any name.
const schema = createModelsFileSchema();

/**
 * Checks a parsed models file (the servers' schema, from `@model-loader/core/models-file`) and
 * resolves its model directory: `--model-dir`, else `modelDir` relative to the file, else `models`
 * next to the file (where a server started in the file's folder looks).
 * @throws ModelLoaderError CONFIG_INVALID naming the first wrong field, MODEL_SOURCE_INVALID
 */
export function parseModelsConfig(
  value: unknown,
  configPath: string,
  modelDirectoryOverride?: string,
): ModelsConfig {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const code = issue.path.at(-1) === 'source' ? 'MODEL_SOURCE_INVALID' : 'CONFIG_INVALID';
    throw new ModelLoaderError(code, `${configPath}: \`${field}\`: ${issue.message}`);
  }
  const models = parsed.data.models.map((model, index): ConfiguredModel => {
    const path = normaliseLockedPath(model.path);
    if (path === undefined) {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `${configPath}: \`models.${index}.path\`: must be a relative path inside \`modelDir\``,
      );
    }
    return {
      name: model.name,
      path,
      ...(model.checksum === undefined ? {} : { checksum: model.checksum }),
      ...(model.source === undefined ? {} : { source: model.source }),
      ...(model.allowUnpinned === true ? { allowUnpinned: true } : {}),
    };
  });
  const modelDirectory =
    modelDirectoryOverride === undefined
      ? resolve(dirname(configPath), parsed.data.modelDir ?? 'models')
      : resolve(modelDirectoryOverride);
  return { modelDirectory, models };
}

/**
 * True for a `.yaml` or `.yml` name: `verify` and `pull` take such a file for a models file without
 * looking inside (other names are told apart by content: JSON, else checksum lines).
 */
export function isYamlFileName(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * Reads a models file (JSON for `.json`, YAML otherwise, as the servers read it).
 * @throws ModelLoaderError CONFIG_INVALID, MODEL_SOURCE_INVALID
 */
export async function readModelsConfig(
  configPath: string,
  modelDirectoryOverride?: string,
): Promise<ModelsConfig> {
  // A plain read: a file the user named that cannot be read is their input error (CONFIG_INVALID
  // from readInputFile), not a server's missing models file.
  const text = await readFile(configPath, 'utf8');
  return parseModelsConfig(
    parseModelsFileText(text, { path: configPath }),
    configPath,
    modelDirectoryOverride,
  );
}

export { parseModelsFileText };
