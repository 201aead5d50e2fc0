import { describe, expect, it } from 'vitest';
import { createBearerCheck } from './bearer-auth.js';

describe('createBearerCheck', () => {
  const check = createBearerCheck('the-right-token-123456');

  it('accepts the token, case-insensitive scheme', () => {
    expect(() => check('Bearer the-right-token-123456')).not.toThrow();
    expect(() => check('bearer the-right-token-123456')).not.toThrow();
  });

  it('answers UNAUTHORIZED without a bearer token and FORBIDDEN with a wrong one', () => {
    for (const header of [undefined, '', 'Basic abc', 'Bearer', 'the-right-token-123456']) {
      expect(() => check(header), String(header)).toThrow(
        expect.objectContaining({ code: 'UNAUTHORIZED', statusCode: 401 }),
      );
    }
    for (const header of [
      'Bearer x',
      'Bearer the-right-token-1234567',
      'Bearer THE-RIGHT-TOKEN-123456',
    ]) {
      expect(() => check(header), header).toThrow(
        expect.objectContaining({ code: 'FORBIDDEN', statusCode: 403 }),
      );
    }
  });
});
