import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { TokenIssuer } from '../../domain/identity/ports.js';
import { parseTokenId, parseTokenVersion } from '../../domain/identity/token-version.js';
import type { TokenClaims } from '../../domain/identity/user.js';
import { UnauthenticatedError } from '../../domain/shared/errors.js';
import { parseUserId } from '../../domain/shared/ids.js';

const ISSUER = 'keel';
const AUDIENCE = 'keel';
const ALGORITHM = 'HS256';
/** The account's token version when the token was issued (`AccountService.authenticate`). */
const TOKEN_VERSION_CLAIM = 'token_version';

export interface TokenService extends TokenIssuer {
  /** What a token says; `UnauthenticatedError('invalid')` for any bad token. */
  verify(token: string): Promise<TokenClaims>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    issue({ userId, tokenVersion }) {
      return (
        new SignJWT({ [TOKEN_VERSION_CLAIM]: tokenVersion })
          .setProtectedHeader({ alg: ALGORITHM })
          .setSubject(String(userId))
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(`${String(ttlSeconds)}s`)
          // Its own id, so the account can keep this one token through a password change.
          .setJti(randomUUID())
          .sign(key)
      );
    },

    async verify(token) {
      const { payload } = await jwtVerify(token, key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'exp', TOKEN_VERSION_CLAIM],
      }).catch((error: unknown) => {
        throw new UnauthenticatedError('invalid', { cause: error });
      });
      const userId = payload.sub === undefined ? undefined : parseUserId(payload.sub);
      const tokenVersion = parseTokenVersion(payload[TOKEN_VERSION_CLAIM]);
      if (userId === undefined || tokenVersion === undefined) {
        throw new UnauthenticatedError('invalid');
      }
      // An id that is not a UUID names no token: such a token can only be of the current version.
      return { userId, tokenVersion, tokenId: parseTokenId(payload.jti) };
    },
  };
}
