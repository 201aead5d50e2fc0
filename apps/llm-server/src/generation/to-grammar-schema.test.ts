import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { toGrammarSchema } from './to-grammar-schema.js';

type Schema = Record<string, unknown>;

const leaf: fc.Arbitrary<Schema> = fc.oneof(
  fc.constant({ type: 'string' }),
  fc.record({ type: fc.constant('string'), maxLength: fc.nat(20) }),
  fc.constant({ type: 'integer' }),
  fc.constant({ type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 }),
  fc.constant({ type: 'number' }),
  fc.constant({ type: 'boolean' }),
  fc.constant({ type: ['string', 'null'] }),
  fc.record({ enum: fc.uniqueArray(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 4 }) }),
  fc.record({ const: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean()) }),
  fc.constant({ type: 'string', format: 'date' }),
);

/** Schemas in the subset the grammar enforces, with annotations sprinkled in. */
const supported: fc.Arbitrary<Schema> = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record(
      {
        type: fc.constant('object'),
        properties: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), tie('schema'), { maxKeys: 4 }),
        additionalProperties: fc.constant(false),
        title: fc.string({ maxLength: 5 }),
        description: fc.string({ maxLength: 10 }),
      },
      { requiredKeys: ['type', 'properties'] },
    ),
    fc.record({
      type: fc.constant('array'),
      items: tie('schema'),
      maxItems: fc.nat(4),
    }),
    fc.record({ anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
  ),
})).schema;

const unsupportedKeyword = fc.constantFrom(
  ['pattern', '^a+$'],
  ['minimum', 3],
  ['exclusiveMaximum', 9],
  ['multipleOf', 2],
  ['allOf', [{ type: 'string' }]],
  ['not', { type: 'string' }],
  ['uniqueItems', true],
  ['patternProperties', {}],
) as fc.Arbitrary<[string, unknown]>;

const KEYWORDS = new Set([
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
  'format',
  'properties',
  'additionalProperties',
  'items',
  'prefixItems',
  'oneOf',
  '$ref',
  '$defs',
]);

function keywordsOf(schema: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) keywordsOf(item, found);
  else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      found.add(key);
      if (key === 'properties' || key === '$defs') {
        for (const child of Object.values(value as object)) keywordsOf(child, found);
      } else if (key !== 'enum' && key !== 'const') keywordsOf(value, found);
    }
  }
  return found;
}

/** Every path to a schema inside `schema`, with the param prefix the converter uses. */
function subSchemaPaths(schema: Schema, path: string): { node: Schema; path: string }[] {
  const paths = [{ node: schema, path }];
  if (schema.properties) {
    for (const [name, child] of Object.entries(schema.properties as Record<string, Schema>)) {
      paths.push(...subSchemaPaths(child, `${path}.properties.${name}`));
    }
  }
  if (schema.items) paths.push(...subSchemaPaths(schema.items as Schema, `${path}.items`));
  if (Array.isArray(schema.anyOf)) {
    (schema.anyOf as Schema[]).forEach((child, index) => {
      paths.push(...subSchemaPaths(child, `${path}.anyOf[${index}]`));
    });
  }
  return paths;
}

describe('toGrammarSchema', () => {
  it('converts every schema of the supported subset to grammar keywords only', () => {
    fc.assert(
      fc.property(supported, (schema) => {
        const converted = toGrammarSchema(schema, 'p');
        for (const keyword of keywordsOf(converted)) expect(KEYWORDS).toContain(keyword);
        expect(keywordsOf(converted).has('anyOf')).toBe(false);
        expect(keywordsOf(converted).has('title')).toBe(false);
      }),
    );
  });

  it('refuses an unsupported keyword anywhere with JSON_SCHEMA_UNSUPPORTED naming its path', () => {
    fc.assert(
      fc.property(supported, unsupportedKeyword, fc.nat(), (schema, [keyword, value], pick) => {
        // A JSON copy: fc.constant shares one object between branches, structuredClone keeps that.
        const copy = JSON.parse(JSON.stringify(schema)) as Schema;
        const targets = subSchemaPaths(copy, 'response_format.json_schema.schema');
        const target = targets[pick % targets.length] as { node: Schema; path: string };
        target.node[keyword] = value;
        let caught: unknown;
        try {
          toGrammarSchema(copy, 'response_format.json_schema.schema');
        } catch (error) {
          caught = error;
        }
        expect(ApiError.isInstance(caught)).toBe(true);
        expect((caught as ApiError).code).toBe('JSON_SCHEMA_UNSUPPORTED');
        // The first offending keyword in document order is reported; ours is the only one.
        expect((caught as ApiError).param).toBe(`${target.path}.${keyword}`);
      }),
    );
  });

  it('rewrites definitions and their references to $defs', () => {
    const converted = toGrammarSchema(
      {
        type: 'object',
        properties: { a: { $ref: '#/definitions/thing' } },
        definitions: { thing: { type: 'string', title: 'x' } },
      },
      'p',
    );
    expect(converted).toEqual({
      type: 'object',
      properties: { a: { $ref: '#/$defs/thing' } },
      $defs: { thing: { type: 'string' } },
    });
    expect(() => toGrammarSchema({ $ref: 'https://example.com/s.json' }, 'p')).toThrow(
      /Only local references/,
    );
  });
});
