import fc from 'fast-check';
import { SignJWT, UnsecuredJWT, decodeJwt, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenService } from '../../src/core/security/tokens.js';
import { parseTokenVersion } from '../../src/domain/identity/token-version.js';
import type { TokenClaims } from '../../src/domain/identity/user.js';
import { UnauthenticatedError } from '../../src/domain/shared/errors.js';
import { parseUserId } from '../../src/domain/shared/ids.js';

const SECRET = 'a-test-secret-that-is-32-bytes-long!';
const TTL = 3600;
const tokens = createTokenService(SECRET, TTL);
const INVALID = new UnauthenticatedError('invalid');

/** The claims of user `userId`'s tokens issued under `tokenVersion`. */
function claims(userId: string, tokenVersion: number): Omit<TokenClaims, 'tokenId'> {
  const [id, version] = [parseUserId(userId), parseTokenVersion(tokenVersion)];
  if (id === undefined || version === undefined) throw new Error('not claims Keel issues');
  return { userId: id, tokenVersion: version };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A token as Keel signs it (version 0), with one claim or key changed. */
function forged(
  change: {
    secret?: string;
    sub?: string;
    aud?: string;
    iss?: string;
    exp?: number;
    payload?: JWTPayload;
  } = {},
) {
  const jwt = new SignJWT(change.payload ?? { token_version: 0 })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(change.iss ?? 'keel')
    .setAudience(change.aud ?? 'keel')
    .setIssuedAt()
    .setExpirationTime(change.exp ?? '1h');
  if (change.sub !== undefined) jwt.setSubject(change.sub);
  return jwt.sign(new TextEncoder().encode(change.secret ?? SECRET));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TokenService', () => {
  it('verifies the tokens it issues, back to the same user, token version and own id', async () => {
    const [first, second] = [
      await tokens.issue(claims('42', 3)),
      await tokens.issue(claims('42', 3)),
    ];
    const verified = await tokens.verify(first);
    expect(verified).toEqual({ userId: 42, tokenVersion: 3, tokenId: expect.stringMatching(UUID) });
    // Every token has an id of its own, even two for the same account and version.
    expect((await tokens.verify(second)).tokenId).not.toBe(verified.tokenId);
  });

  it('reads a token without an id, or with one that is no UUID, as naming no token', async () => {
    for (const payload of [
      { token_version: 0 },
      { token_version: 0, jti: 'not-a-uuid' },
      { token_version: 0, jti: 'A0B1C2D3-0000-4000-8000-000000000000' },
    ]) {
      const token = await forged({ sub: '7', payload });
      await expect(tokens.verify(token)).resolves.toEqual({
        userId: 7,
        tokenVersion: 0,
        tokenId: undefined,
      });
    }
  });

  it('accepts the largest user id and token version the database can hold', async () => {
    const token = await forged({ sub: '2147483647', payload: { token_version: 2_147_483_647 } });
    await expect(tokens.verify(token)).resolves.toEqual({
      userId: 2_147_483_647,
      tokenVersion: 2_147_483_647,
      tokenId: undefined,
    });
  });

  it('issues tokens that expire after the configured lifetime', async () => {
    const payload = decodeJwt(await tokens.issue(claims('1', 0)));
    expect(payload).toMatchObject({ sub: '1', iss: 'keel', aud: 'keel', token_version: 0 });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(TTL);
  });

  it('accepts a token until it expires, and refuses it after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const token = await tokens.issue(claims('1', 0));
    vi.advanceTimersByTime((TTL - 1) * 1000);
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId: 1, tokenVersion: 0 });
    vi.advanceTimersByTime(2000);
    await expect(tokens.verify(token)).rejects.toThrow(INVALID);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await forged({ sub: '1', secret: 'another-secret-that-is-32-bytes-long' });
    await expect(tokens.verify(token)).rejects.toThrow(INVALID);
  });

  it('refuses a token for another audience or from another issuer', async () => {
    await expect(tokens.verify(await forged({ sub: '1', aud: 'other' }))).rejects.toThrow(INVALID);
    await expect(tokens.verify(await forged({ sub: '1', iss: 'other' }))).rejects.toThrow(INVALID);
  });

  it('refuses an expired token', async () => {
    const exp = Math.floor(Date.now() / 1000) - 10;
    await expect(tokens.verify(await forged({ sub: '1', exp }))).rejects.toThrow(INVALID);
  });

  it('refuses an unsigned token (alg "none")', async () => {
    const token = new UnsecuredJWT()
      .setSubject('1')
      .setIssuer('keel')
      .setAudience('keel')
      .setExpirationTime('1h')
      .encode();
    await expect(tokens.verify(token)).rejects.toThrow(INVALID);
  });

  it('refuses a token without a subject', async () => {
    await expect(tokens.verify(await forged())).rejects.toThrow(INVALID);
  });

  it.each(['abc', '0', '01', '-1', '1.5', ' 1', '2147483648', '12345678901'])(
    'refuses the subject %j, which is no user id',
    async (sub) => {
      await expect(tokens.verify(await forged({ sub }))).rejects.toThrow(INVALID);
    },
  );

  it('refuses a token without a token version', async () => {
    await expect(tokens.verify(await forged({ sub: '1', payload: {} }))).rejects.toThrow(INVALID);
  });

  it('refuses every token version claim that is not an integer from 0 to 2^31 - 1', async () => {
    const notAVersion = fc
      .oneof(fc.jsonValue(), fc.maxSafeInteger(), fc.double())
      .filter((value) => parseTokenVersion(value) === undefined);
    await fc.assert(
      fc.asyncProperty(notAVersion, async (tokenVersion) => {
        const token = await forged({ sub: '1', payload: { token_version: tokenVersion } });
        await expect(tokens.verify(token)).rejects.toThrow(INVALID);
      }),
    );
  });

  it.each(['', 'not-a-token', 'a.b.c'])('refuses the malformed token %j', async (token) => {
    await expect(tokens.verify(token)).rejects.toThrow(INVALID);
  });

  it('keeps the reason a token was refused as the cause', async () => {
    await expect(tokens.verify('not-a-token')).rejects.toMatchObject({
      reason: 'invalid',
      cause: expect.any(Error),
    });
  });

  it('checks a signature once per token, and remembers nothing of a token that failed', async () => {
    const checks = vi.spyOn(globalThis.crypto.subtle, 'verify');
    const token = await tokens.issue(claims('7', 1));
    const first = await tokens.verify(token);
    expect(checks).toHaveBeenCalledTimes(1);
    await expect(tokens.verify(token)).resolves.toEqual(first);
    expect(checks).toHaveBeenCalledTimes(1);
    const other = await forged({ secret: 'another-secret-that-is-32-bytes-long' });
    await expect(tokens.verify(other)).rejects.toThrow(INVALID);
    await expect(tokens.verify(other)).rejects.toThrow(INVALID);
    expect(checks).toHaveBeenCalledTimes(3);
    checks.mockRestore();
  });

  it('refuses a remembered token with a claim changed under its signature', async () => {
    const token = await tokens.issue(claims('7', 1));
    await tokens.verify(token);
    const [header, payload, signature] = token.split('.');
    const changed = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: '8' })).toString(
      'base64url',
    );
    expect(payload).not.toBe(changed);
    await expect(tokens.verify(`${header ?? ''}.${changed}.${signature ?? ''}`)).rejects.toThrow(
      INVALID,
    );
  });
});
