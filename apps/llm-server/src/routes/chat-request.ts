import type {
  GgufChatMessage,
  GgufResponseFormat,
  GgufTool,
  GgufToolChoice,
} from '@model-loader/adapter-gguf';
import type { KeepAliveInput } from '@model-loader/core';
import { ApiError } from '../generation/api-error.js';
import type { GenerationRequest } from '../generation/run-generation.js';
import { toGrammarSchema } from '../generation/to-grammar-schema.js';
import type { ChatCompletionBody } from './request-schemas.js';
import { orUndefined } from './route-types.js';

type Content = ChatCompletionBody['messages'][number]['content'];

function textOf(content: Content): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/**
 * The messages as the adapter takes them; every `tool` message must answer a call of an earlier
 * assistant message.
 * @throws ApiError REQUEST_INVALID naming the message
 */
export function toMessages(messages: ChatCompletionBody['messages']): GgufChatMessage[] {
  const callIds = new Set<string>();
  return messages.map((message, index): GgufChatMessage => {
    if ('name' in message && message.name) {
      throw new ApiError(
        'REQUEST_UNSUPPORTED',
        `\`messages[${index}].name\` is not supported: the chat templates here have no participant names. Put the name in the content.`,
        `messages[${index}].name`,
      );
    }
    if (message.role === 'tool') {
      if (!callIds.has(message.tool_call_id)) {
        throw new ApiError(
          'REQUEST_INVALID',
          `Message ${index} answers tool call '${message.tool_call_id}', which no earlier assistant message made.`,
          `messages[${index}].tool_call_id`,
        );
      }
      return { role: 'tool', content: textOf(message.content), toolCallId: message.tool_call_id };
    }
    if (message.role === 'assistant') {
      const toolCalls = (message.tool_calls ?? []).map((call) => {
        callIds.add(call.id);
        return { id: call.id, name: call.function.name, arguments: call.function.arguments };
      });
      return {
        role: 'assistant',
        // An earlier refusal is what the assistant said.
        content: textOf(message.content) || (message.refusal ?? ''),
        ...(toolCalls.length ? { toolCalls } : {}),
      };
    }
    // `developer` is OpenAI's newer name for `system`.
    return {
      role: message.role === 'developer' ? 'system' : message.role,
      content: textOf(message.content),
    };
  });
}

function toTools(body: ChatCompletionBody): GgufTool[] {
  const names = new Set<string>();
  return (body.tools ?? []).map((tool, index) => {
    const { name, description, parameters } = tool.function;
    if (names.has(name)) {
      throw new ApiError(
        'REQUEST_INVALID',
        `Tool '${name}' is given twice.`,
        `tools[${index}].function.name`,
      );
    }
    names.add(name);
    return {
      name,
      ...(description ? { description } : {}),
      ...(parameters
        ? { parameters: toGrammarSchema(parameters, `tools[${index}].function.parameters`) }
        : {}),
    };
  });
}

function toToolChoice(body: ChatCompletionBody, tools: readonly GgufTool[]): GgufToolChoice {
  const choice = body.tool_choice ?? (tools.length > 0 ? 'auto' : 'none');
  if (typeof choice === 'string') {
    if (choice !== 'none' && tools.length === 0) {
      throw new ApiError(
        'REQUEST_INVALID',
        `tool_choice '${choice}' needs at least one tool in \`tools\`.`,
        'tool_choice',
      );
    }
    return choice;
  }
  const name = choice.function.name;
  if (!tools.some((tool) => tool.name === name)) {
    throw new ApiError(
      'REQUEST_INVALID',
      `tool_choice names function '${name}', which is not in \`tools\`.`,
      'tool_choice.function.name',
    );
  }
  return { name };
}

function toResponseFormat(body: ChatCompletionBody): GgufResponseFormat | undefined {
  const format = body.response_format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (!format.json_schema.schema) {
    throw new ApiError(
      'REQUEST_INVALID',
      'response_format json_schema needs a `schema`.',
      'response_format.json_schema.schema',
    );
  }
  const { name, description, schema } = format.json_schema;
  return {
    type: 'json_schema',
    schema: toGrammarSchema(schema, 'response_format.json_schema.schema'),
    name,
    ...(description ? { description } : {}),
  };
}

/** OpenAI's sampling defaults: temperature 1 and top_p 1 when the request does not say. */
export function openAiSampling(body: {
  readonly temperature?: number | null | undefined;
  readonly top_p?: number | null | undefined;
  readonly seed?: number | null | undefined;
  readonly presence_penalty?: number | null | undefined;
  readonly frequency_penalty?: number | null | undefined;
  readonly keep_alive?: KeepAliveInput | null | undefined;
}) {
  return {
    keepAlive: orUndefined(body.keep_alive),
    temperature: body.temperature ?? 1,
    topP: orUndefined(body.top_p),
    seed: orUndefined(body.seed),
    presencePenalty: orUndefined(body.presence_penalty),
    frequencyPenalty: orUndefined(body.frequency_penalty),
  };
}

/** The generation a chat completion request asks for. */
export function toChatGeneration(
  body: ChatCompletionBody,
  stop: readonly string[] | undefined,
): GenerationRequest {
  const tools = toTools(body);
  const toolChoice = toToolChoice(body, tools);
  return {
    modelName: body.model,
    input: { kind: 'chat', messages: toMessages(body.messages) },
    maxTokens: orUndefined(body.max_completion_tokens ?? body.max_tokens),
    stop,
    ...openAiSampling(body),
    responseFormat: toResponseFormat(body),
    ...(toolChoice === 'none' ? {} : { tools, toolChoice }),
  };
}
