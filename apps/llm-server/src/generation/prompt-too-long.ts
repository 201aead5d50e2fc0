import { ModelLoaderError } from '@model-loader/core';
import { ApiError } from './api-error.js';

/**
 * Runs `count`, turning the adapter's PROMPT_TOO_LONG (a prompt refused by its byte size before it
 * was tokenized) into the OpenAI routes' CONTEXT_LENGTH_EXCEEDED with the field that is too long,
 * so clients see one code for "does not fit the context" whichever check caught it.
 */
export async function refuseOversizedPrompt<T>(count: () => Promise<T>, param: string): Promise<T> {
  try {
    return await count();
  } catch (error) {
    if (ModelLoaderError.isInstance(error) && error.code === 'PROMPT_TOO_LONG') {
      throw new ApiError('CONTEXT_LENGTH_EXCEEDED', error.message, param);
    }
    throw error;
  }
}
