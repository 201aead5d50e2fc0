import type { GgufJsonSchema } from '@model-loader/adapter-gguf';
import { ApiError } from './api-error.js';

/** Integers the grammar writes have at most 15 digits (see adapter-gguf's JSON grammar). */
const LARGEST_INTEGER = 999_999_999_999_999;

/** Keywords that only annotate: dropped. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/** Keywords node-llama-cpp's JSON grammar enforces, copied as they are (after conversion). */
const KEPT = new Set([
  'type',
  'description',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
]);

const FORMATS = new Set(['date-time', 'time', 'date']);

function refuse(path: string, message: string): never {
  throw new ApiError('JSON_SCHEMA_UNSUPPORTED', message, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `minimum`/`maximum` that the grammar's integers always satisfy are kept out; others refused. */
function checkBound(schema: Record<string, unknown>, key: string, path: string): void {
  const value = schema[key];
  const types = ([] as unknown[]).concat(schema.type);
  const implied =
    types.length > 0 &&
    types.every((type) => type === 'integer') &&
    typeof value === 'number' &&
    (key === 'minimum' ? value <= -LARGEST_INTEGER : value >= LARGEST_INTEGER);
  if (!implied) {
    refuse(
      `${path}.${key}`,
      `JSON schema keyword \`${key}\` is not supported by the grammar (node-llama-cpp 3.21.1 cannot bound numbers).`,
    );
  }
}

function convert(
  schema: unknown,
  path: string,
  rootRef: (ref: string) => string,
  root: string,
): GgufJsonSchema {
  if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) {
    refuse(path, 'An empty JSON schema (any value) cannot be enforced; give it a `type`.');
  }
  if (!isObject(schema)) refuse(path, 'A JSON schema must be an object.');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    const at = `${path}.${key}`;
    if (ANNOTATIONS.has(key)) continue;
    if (KEPT.has(key)) {
      out[key] = value;
    } else if (key === 'minimum' || key === 'maximum') {
      checkBound(schema, key, path);
    } else if (key === 'format') {
      if (typeof value !== 'string' || !FORMATS.has(value)) {
        refuse(
          at,
          `JSON schema format ${JSON.stringify(value)} is not supported (date-time, time, date are).`,
        );
      }
      out.format = value;
    } else if (key === 'required') {
      // The grammar writes every property; an output with all of them satisfies any `required`.
    } else if (key === 'properties') {
      if (!isObject(value)) refuse(at, '`properties` must be an object.');
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [
          name,
          convert(property, `${at}.${name}`, rootRef, root),
        ]),
      );
    } else if (key === 'additionalProperties') {
      out.additionalProperties =
        typeof value === 'boolean' ? value : convert(value, at, rootRef, root);
    } else if (key === 'items') {
      out.items = convert(value, at, rootRef, root);
    } else if (key === 'prefixItems') {
      if (!Array.isArray(value)) refuse(at, '`prefixItems` must be an array.');
      out.prefixItems = value.map((item, index) => convert(item, `${at}[${index}]`, rootRef, root));
    } else if (key === 'anyOf' || key === 'oneOf') {
      // An output that matches one branch matches `anyOf` too.
      if (!Array.isArray(value) || value.length === 0)
        refuse(at, `\`${key}\` must be a non-empty array.`);
      out.oneOf = value.map((item, index) => convert(item, `${at}[${index}]`, rootRef, root));
    } else if (key === '$ref') {
      if (typeof value !== 'string') refuse(at, '`$ref` must be a string.');
      out.$ref = rootRef(value);
    } else if (key === '$defs' || key === 'definitions') {
      if (path !== root) refuse(at, `\`${key}\` is supported at the root of the schema only.`);
      // Collected by the caller.
    } else {
      refuse(at, `JSON schema keyword \`${key}\` is not supported by the grammar.`);
    }
  }
  if (
    out.type === 'object' &&
    out.properties === undefined &&
    out.additionalProperties === undefined
  ) {
    // `{type: 'object'}` alone: any object; the grammar then writes `{}` or free properties.
    out.additionalProperties = true;
  }
  return out;
}

/**
 * Converts an OpenAI JSON schema (as `zodResponseFormat` or a tool's `parameters` give it) to the
 * subset node-llama-cpp's grammar enforces: `anyOf` becomes `oneOf`, `definitions` become `$defs`,
 * annotations are dropped, and every keyword the grammar cannot enforce (`pattern`, number bounds,
 * `allOf`, `not`, ...) is refused, so the output always matches the schema it was asked for.
 * @param param the request field of the schema, for the error's `param`
 * @throws ApiError JSON_SCHEMA_UNSUPPORTED naming the keyword
 */
export function toGrammarSchema(schema: unknown, param: string): GgufJsonSchema {
  const rootRef = (ref: string) => {
    const match = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
    if (!match?.[1])
      refuse(
        `${param}.$ref`,
        `Only local references \`#/$defs/<name>\` are supported, not ${JSON.stringify(ref)}.`,
      );
    return `#/$defs/${match[1]}`;
  };
  const converted = convert(schema, param, rootRef, param);
  const root = schema as Record<string, unknown>;
  const definitions = {
    ...(isObject(root.definitions) ? root.definitions : {}),
    ...(isObject(root.$defs) ? root.$defs : {}),
  };
  const result: Record<string, unknown> = { ...converted };
  if (Object.keys(definitions).length > 0) {
    result.$defs = Object.fromEntries(
      Object.entries(definitions).map(([name, definition]) => [
        name,
        convert(definition, `${param}.$defs.${name}`, rootRef, param),
      ]),
    );
  }
  return result;
}
