import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../errors/http-error.js';

/**
 * Creates a check of `Authorization: Bearer <token>` against `token`. Both sides are hashed to
 * SHA-256 first, so `timingSafeEqual` compares equal-length buffers and the time taken tells nothing
 * about the token's length or content.
 * @throws HttpError UNAUTHORIZED without a bearer token, FORBIDDEN with a wrong one
 */
export function createBearerCheck(token: string): (authorization: string | undefined) => void {
  const expected = createHash('sha256').update(token, 'utf8').digest();
  return (authorization) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw new HttpError(
        'UNAUTHORIZED',
        'This admin route needs `Authorization: Bearer <token>`',
        {
          headers: { 'www-authenticate': 'Bearer realm="model-loader"' },
        },
      );
    }
    const given = createHash('sha256').update(match[1]!, 'utf8').digest();
    if (!timingSafeEqual(given, expected)) {
      throw new HttpError('FORBIDDEN', 'The bearer token is not valid for admin routes');
    }
  };
}
