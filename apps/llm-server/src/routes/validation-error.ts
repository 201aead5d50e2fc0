/** One issue of a failed zod validation, as fastify-type-provider-zod reports it. */
interface ValidationIssue {
  readonly keyword?: string;
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: { readonly keys?: readonly string[] };
}

/** The request field at fault and the code of a validation error. */
export interface ValidationFault {
  readonly code: 'REQUEST_INVALID' | 'REQUEST_FIELD_UNKNOWN';
  /** OpenAI-style path: `messages[0].content`, `tools[1].function.name`. */
  readonly param: string;
  readonly message: string;
}

function toParam(pointer: string): string {
  return pointer
    .split('/')
    .filter((part) => part !== '')
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
}

/**
 * Reads the first issue of a Fastify validation error: an unknown field becomes
 * `REQUEST_FIELD_UNKNOWN` naming it, anything else `REQUEST_INVALID` naming the field at fault.
 * Undefined when the error is not a validation error.
 */
export function validationFault(error: unknown): ValidationFault | undefined {
  const validation = (error as { validation?: unknown })?.validation;
  if (!Array.isArray(validation) || validation.length === 0) return undefined;
  const issue = validation[0] as ValidationIssue;
  const at = toParam(issue.instancePath ?? '');
  if (issue.keyword === 'unrecognized_keys' && issue.params?.keys?.length) {
    const key = issue.params.keys[0] as string;
    const param = at ? `${at}.${key}` : key;
    return {
      code: 'REQUEST_FIELD_UNKNOWN',
      param,
      message: `Unrecognized request argument supplied: ${param}. This server refuses fields it does not know instead of ignoring them.`,
    };
  }
  const param = at || 'body';
  return {
    code: 'REQUEST_INVALID',
    param,
    message: `Invalid value for '${param}': ${issue.message ?? 'invalid'}.`,
  };
}
