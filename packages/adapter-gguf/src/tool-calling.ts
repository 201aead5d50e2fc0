import type { GgufJsonSchema, GgufTool, GgufToolCall, GgufToolChoice } from './gguf-generation.js';

const NO_PARAMETERS: GgufJsonSchema = { type: 'object', properties: {} };

/** A tool call forced by grammar: the schema the output must match, and how to read it. */
export interface ForcedToolCall {
  readonly schema: GgufJsonSchema;
  /** Tells the model what to answer (appended to the system prompt). */
  readonly instructions: string;
  read(output: string): GgufToolCall;
}

function describeTools(tools: readonly GgufTool[]): string {
  return tools
    .map(
      (tool) =>
        `- ${tool.name}${tool.description ? `: ${tool.description}` : ''}\n  parameters: ${JSON.stringify(tool.parameters ?? NO_PARAMETERS)}`,
    )
    .join('\n');
}

/**
 * For `required` and a named tool: the output is the JSON arguments of the named tool, or
 * `{"name": ..., "arguments": {...}}` with one of the tools. Undefined for `auto` and `none`.
 */
export function forcedToolCall(
  tools: readonly GgufTool[],
  choice: GgufToolChoice | undefined,
): ForcedToolCall | undefined {
  if (choice === undefined || choice === 'auto' || choice === 'none') return undefined;
  if (typeof choice === 'object') {
    const tool = tools.find((candidate) => candidate.name === choice.name);
    if (!tool) throw new RangeError(`tool_choice names '${choice.name}', which is not in tools`);
    return {
      schema: tool.parameters ?? NO_PARAMETERS,
      instructions: `Call the function ${tool.name}. Answer with its arguments as one JSON object and nothing else.\n${describeTools([tool])}`,
      read: (output) => ({ name: tool.name, arguments: output.trim() }),
    };
  }
  const variants = tools.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.name }, arguments: tool.parameters ?? NO_PARAMETERS },
  }));
  return {
    schema: variants.length === 1 ? (variants[0] as GgufJsonSchema) : { oneOf: variants },
    instructions: `Call one of these functions. Answer with one JSON object {"name": <function name>, "arguments": <its arguments>} and nothing else.\n${describeTools(tools)}`,
    read(output) {
      const call = JSON.parse(output) as { name: string; arguments: unknown };
      return { name: call.name, arguments: JSON.stringify(call.arguments) };
    },
  };
}
