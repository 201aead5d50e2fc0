import { ApiError } from '../generation/api-error.js';

/** A field this server knows from OpenAI's API but cannot honour, and its harmless values. */
interface Refusal {
  readonly field: string;
  /** True for a value that asks for nothing (the field is then accepted). */
  readonly accepts: (value: unknown) => boolean;
  readonly reason: string;
}

const absentOr =
  (...allowed: unknown[]) =>
  (value: unknown) =>
    value === null || value === undefined || allowed.includes(value);

const emptyObject = (value: unknown) =>
  value === null ||
  value === undefined ||
  (typeof value === 'object' && Object.keys(value as object).length === 0);

const textOnly = (value: unknown) =>
  value === null ||
  value === undefined ||
  (Array.isArray(value) && value.length === 1 && value[0] === 'text');

const LOGPROBS =
  'node-llama-cpp 3.21.1 gives no token probabilities through its chat and completion APIs';

/** Fields of `POST /v1/chat/completions` refused unless absent or harmless. */
export const CHAT_REFUSALS: readonly Refusal[] = [
  { field: 'n', accepts: absentOr(1), reason: 'only n = 1 is supported' },
  { field: 'logprobs', accepts: absentOr(false), reason: LOGPROBS },
  { field: 'top_logprobs', accepts: absentOr(0), reason: LOGPROBS },
  {
    field: 'logit_bias',
    accepts: emptyObject,
    reason: 'logit_bias is not supported (token ids differ between models)',
  },
  {
    field: 'functions',
    accepts: absentOr(),
    reason: 'functions is deprecated and not supported: use tools',
  },
  {
    field: 'function_call',
    accepts: absentOr(),
    reason: 'function_call is deprecated and not supported: use tool_choice',
  },
  { field: 'audio', accepts: absentOr(), reason: 'audio output is not supported' },
  { field: 'modalities', accepts: textOnly, reason: 'only the text modality is supported' },
  { field: 'prediction', accepts: absentOr(), reason: 'predicted outputs are not supported' },
  {
    field: 'reasoning_effort',
    accepts: absentOr(),
    reason: 'reasoning_effort is not supported by GGUF models here',
  },
  {
    field: 'service_tier',
    accepts: absentOr('auto', 'default'),
    reason: 'only the default service tier exists',
  },
  { field: 'store', accepts: absentOr(false), reason: 'completions are not stored' },
  {
    field: 'metadata',
    accepts: emptyObject,
    reason: 'metadata is only kept with store, which is not supported',
  },
  { field: 'web_search_options', accepts: absentOr(), reason: 'web search is not supported' },
  { field: 'verbosity', accepts: absentOr(), reason: 'verbosity is not supported' },
  {
    field: 'parallel_tool_calls',
    // At most one tool call is made per answer, which both values allow.
    accepts: absentOr(true, false),
    reason: 'parallel_tool_calls must be a boolean',
  },
  {
    field: 'prompt_cache_key',
    accepts: absentOr(),
    reason: 'prompt caching by key is not supported',
  },
  { field: 'safety_identifier', accepts: absentOr(), reason: 'safety_identifier is not supported' },
];

/** Fields of `POST /v1/completions` refused unless absent or harmless. */
export const COMPLETION_REFUSALS: readonly Refusal[] = [
  { field: 'n', accepts: absentOr(1), reason: 'only n = 1 is supported' },
  { field: 'logprobs', accepts: absentOr(0), reason: LOGPROBS },
  { field: 'logit_bias', accepts: emptyObject, reason: 'logit_bias is not supported' },
  { field: 'echo', accepts: absentOr(false), reason: 'echo is not supported' },
  { field: 'best_of', accepts: absentOr(1), reason: 'only best_of = 1 is supported' },
  { field: 'suffix', accepts: absentOr(''), reason: 'suffix (insertion) is not supported' },
];

/** Fields of `POST /v1/embeddings` refused unless absent. */
export const EMBEDDING_REFUSALS: readonly Refusal[] = [
  {
    field: 'dimensions',
    accepts: absentOr(),
    reason: 'dimensions is not supported: vectors have the model width',
  },
];

/**
 * Refuses the first field that asks for something this server cannot do.
 * @throws ApiError REQUEST_UNSUPPORTED with `param` naming the field
 */
export function refuseUnsupported(
  body: Readonly<Record<string, unknown>>,
  refusals: readonly Refusal[],
): void {
  for (const refusal of refusals) {
    const value = body[refusal.field];
    if (!refusal.accepts(value)) {
      throw new ApiError(
        'REQUEST_UNSUPPORTED',
        `\`${refusal.field}\` = ${JSON.stringify(value)} is not supported: ${refusal.reason}.`,
        refusal.field,
      );
    }
  }
}
