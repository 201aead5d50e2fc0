import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';
import type { GgufChatMessage } from './gguf-generation.js';

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // An earlier call whose arguments were not JSON is shown to the model as it was.
    return text;
  }
}

/**
 * node-llama-cpp's chat history for the messages, ending with an empty model response to fill.
 * An assistant message's tool calls become function calls with the result of the `tool` message
 * of the same id, so the chat template renders them in the model's own calling syntax.
 * `systemSuffix` is appended to the first system message (or is one).
 */
export function toChatHistory(
  messages: readonly GgufChatMessage[],
  systemSuffix?: string,
): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const message of messages) {
    if (message.role === 'tool') results.set(message.toolCallId, message.content);
  }
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    if (message.role === 'system') history.push({ type: 'system', text: message.content });
    else if (message.role === 'user') history.push({ type: 'user', text: message.content });
    else if (message.role === 'assistant') {
      const response: ChatModelResponse['response'] = message.content ? [message.content] : [];
      for (const call of message.toolCalls ?? []) {
        const functionCall: ChatModelFunctionCall = {
          type: 'functionCall',
          name: call.name,
          params: parseArguments(call.arguments),
          result: results.get(call.id) ?? '',
        };
        response.push(functionCall);
      }
      history.push({ type: 'model', response });
    }
    // `tool` messages are folded into the call they answer.
  }
  if (systemSuffix) {
    const system = history.find((item) => item.type === 'system');
    if (system && system.type === 'system') {
      system.text = `${typeof system.text === 'string' ? system.text : ''}\n\n${systemSuffix}`;
    } else history.unshift({ type: 'system', text: systemSuffix });
  }
  history.push({ type: 'model', response: [] });
  return history;
}
