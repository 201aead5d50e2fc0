import { z } from 'zod';

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** The `:name` path parameter: 1-256 characters, no NUL or other control character. */
export const modelNameParams = z.object({
  name: z
    .string()
    .min(1)
    .max(256)
    .refine((name) => !hasControlCharacter(name), {
      message: 'A model name must not contain NUL or other control characters',
    }),
});
