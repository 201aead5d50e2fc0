import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { formatIssues } from '../errors/format-issues.js';
import { ModelLoaderError } from '../errors/model-loader-error.js';
import {
  type AnyModelsFile,
  createModelsFileSchema,
  type ModelsFile,
} from './models-file-schema.js';

/** Where a models file came from, for messages. */
export interface ModelsFileOrigin {
  /** Path to read. */
  readonly path: string;
  /** How messages name the file (for example the path as the user typed it). @default path */
  readonly shownAs?: string;
}

/** True for a `.json` models file; every other name is read as YAML (which JSON also is). */
export function isJsonModelsFile(path: string): boolean {
  return extname(path).toLowerCase() === '.json';
}

/**
 * Reads the text of a models file.
 * @throws ModelLoaderError CONFIG_INVALID when it does not exist (naming MODELS_FILE) or when it
 * cannot be read
 */
export async function readModelsFileText(origin: ModelsFileOrigin): Promise<string> {
  const shown = origin.shownAs ?? origin.path;
  try {
    return await readFile(origin.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ModelLoaderError(
        'CONFIG_INVALID',
        `Models file not found: ${shown}. Create it, or set MODELS_FILE to its path.`,
        { cause: error },
      );
    }
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      code === 'EISDIR'
        ? `The models file ${shown} is a directory; point MODELS_FILE at a models.yaml or models.json file.`
        : `Cannot read the models file ${shown} (${code ?? 'error'}); check its permissions.`,
      { cause: error },
    );
  }
}

/**
 * Parses the text of a models file: JSON for a `.json` name, YAML otherwise.
 * @throws ModelLoaderError CONFIG_INVALID naming the file and the syntax error
 */
export function parseModelsFileText(text: string, origin: ModelsFileOrigin): unknown {
  const json = isJsonModelsFile(origin.path);
  try {
    return json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `The models file ${origin.shownAs ?? origin.path} is not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Formats zod issues of a models file, one line per problem. */
export type IssueFormatter = (error: z.ZodError) => string;

/** Options of {@link readModelsFile} and {@link checkModelsFile}. */
export interface ReadModelsFileOptions extends ModelsFileOrigin {
  /** Adapter names a model may use; without them `adapter` is optional (see `createModelsFileSchema`). */
  readonly adapterNames?: readonly string[];
  /** Turns the schema's issues into the message. @default one `- \`path\`: message` line per issue */
  readonly formatIssues?: IssueFormatter;
}

function defaultFormatIssues(error: z.ZodError): string {
  return formatIssues(error.issues, { style: 'list' });
}

/**
 * Checks a parsed models file value against the models-file schema.
 * @throws ModelLoaderError CONFIG_INVALID: "Invalid models file <file>:" and one line per problem
 */
export function checkModelsFile(
  value: unknown,
  options: ReadModelsFileOptions & { readonly adapterNames: readonly string[] },
): ModelsFile;
export function checkModelsFile(value: unknown, options: ReadModelsFileOptions): AnyModelsFile;
export function checkModelsFile(
  value: unknown,
  options: ReadModelsFileOptions,
): AnyModelsFile | ModelsFile {
  const schema = createModelsFileSchema(
    options.adapterNames === undefined ? {} : { adapterNames: options.adapterNames },
  );
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ModelLoaderError(
      'CONFIG_INVALID',
      `Invalid models file ${options.shownAs ?? options.path}:\n${(options.formatIssues ?? defaultFormatIssues)(parsed.error)}`,
    );
  }
  return parsed.data;
}

/**
 * Reads, parses (YAML or JSON) and checks a models file.
 * @throws ModelLoaderError CONFIG_INVALID (a missing, unreadable or invalid file)
 */
export async function readModelsFile(
  options: ReadModelsFileOptions & { readonly adapterNames: readonly string[] },
): Promise<ModelsFile>;
export async function readModelsFile(options: ReadModelsFileOptions): Promise<AnyModelsFile>;
export async function readModelsFile(
  options: ReadModelsFileOptions,
): Promise<AnyModelsFile | ModelsFile> {
  const text = await readModelsFileText(options);
  return checkModelsFile(parseModelsFileText(text, options), options);
}
