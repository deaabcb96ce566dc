import { SignJWT, jwtVerify } from 'jose';
import type { TokenIssuer } from '../../domain/identity/ports.js';
import { UnauthenticatedError } from '../../domain/shared/errors.js';
import { parseUserId, type UserId } from '../../domain/shared/ids.js';

const ISSUER = 'keel';
const AUDIENCE = 'keel';
const ALGORITHM = 'HS256';

export interface TokenService extends TokenIssuer {
  /** The user a token was issued to; `UnauthenticatedError('invalid')` for any bad token. */
  verify(token: string): Promise<UserId>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    issue(userId) {
      return new SignJWT()
        .setProtectedHeader({ alg: ALGORITHM })
        .setSubject(String(userId))
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${String(ttlSeconds)}s`)
        .sign(key);
    },

    async verify(token) {
      const { payload } = await jwtVerify(token, key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'exp'],
      }).catch((error: unknown) => {
        throw new UnauthenticatedError('invalid', { cause: error });
      });
      const userId = payload.sub === undefined ? undefined : parseUserId(payload.sub);
      if (userId === undefined) throw new UnauthenticatedError('invalid');
      return userId;
    },
  };
}
