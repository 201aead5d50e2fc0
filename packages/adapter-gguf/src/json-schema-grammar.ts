import type { Llama, LlamaGrammar } from 'node-llama-cpp';
import type { GgufJsonSchema } from './gguf-generation.js';

// node-llama-cpp 3.21.1 lets integers have an exponent of up to 16 digits, so a random model
// writes `75942E2269` (Infinity, not an integer) or `5E-3` for an `integer`. These rules keep
// integers plain and numbers finite (at most 16 digits times 10^99).
const INTEGER_RULE = 'integer-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15})';
const FRACTIONAL_RULE =
  'fractional-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?';

/**
 * node-llama-cpp's grammar for a JSON schema, with JSON numbers that parse to what the schema says:
 * finite numbers, and integers without exponent.
 */
export async function createJsonSchemaGrammar(
  llama: Llama,
  schema: GgufJsonSchema,
): Promise<LlamaGrammar> {
  // biome-ignore lint/suspicious/noExplicitAny: the caller checks the schema against the grammar's subset
  const original = await llama.createGrammarForJsonSchema(schema as any);
  const grammar = original.grammar
    .split('\n')
    .map((line) =>
      line.startsWith('integer-number-rule ::=')
        ? INTEGER_RULE
        : line.startsWith('fractional-number-rule ::=')
          ? FRACTIONAL_RULE
          : line,
    )
    .join('\n');
  return llama.createGrammar({
    grammar,
    stopGenerationTriggers: original.stopGenerationTriggers,
    trimWhitespaceSuffix: original.trimWhitespaceSuffix,
    rootRuleName: original.rootRuleName,
  });
}
