import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
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
/** How many verified tokens a process remembers: about 3 MB at most. */
const REMEMBERED_TOKENS = 10_000;

interface VerifiedToken {
  readonly claims: TokenClaims;
  /** The `exp` claim: seconds since the epoch. */
  readonly expiresAt: number;
}

export interface TokenService extends TokenIssuer {
  /** What a token says; `UnauthenticatedError('invalid')` for any bad token. */
  verify(token: string): Promise<TokenClaims>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  /**
   * Tokens already verified, by their whole text (signature included), until they expire: a
   * signature that verified once verifies again, and verifying one costs about 0.1 ms of CPU
   * (jose's HMAC goes through WebCrypto), a tenth of a list request. Whether the account still
   * honours the token is not remembered: `AccountService.authenticate` asks the database every
   * time, so revocation stays immediate.
   */
  const verified = new LRUCache<string, VerifiedToken>({ max: REMEMBERED_TOKENS });
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
      const known = verified.get(token);
      if (known !== undefined) {
        // As jose checks it: valid while now, in whole seconds, is before `exp`.
        if (Math.floor(Date.now() / 1000) < known.expiresAt) return known.claims;
        // Expired: verified afresh below, so it is refused for the reason jose gives.
        verified.delete(token);
      }
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
      const claims = { userId, tokenVersion, tokenId: parseTokenId(payload.jti) };
      // `exp` is a required claim, and jose has checked it is a number.
      verified.set(token, { claims, expiresAt: payload.exp ?? 0 });
      return claims;
    },
  };
}
