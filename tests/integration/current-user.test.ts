import { eq } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, rowCounts, TEST_TOKEN_SECRET, type TestApp } from '../helpers/app.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { createArticle, registerUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function currentUser(authorization?: string, url = '/api/v1/user') {
  return t.app.inject({
    method: 'GET',
    url,
    ...(authorization !== undefined && { headers: { authorization } }),
  });
}

/** A token shaped like Keel's own (version 0), signed with `secret`, expiring at `expiresAt`. */
function signToken(secret: string, subject: string, expiresAt: string | number = '1h') {
  return new SignJWT({ token_version: 0 })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuer('keel')
    .setAudience('keel')
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

const TOKEN_INVALID = { errors: { token: ['is invalid'] }, error: { code: 'token_invalid' } };

describe('GET /api/v1/user', () => {
  it('returns the current user with a fresh token', async () => {
    const user = await registerUser(t.app);
    const response = await currentUser(`Token ${user.token}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      user: {
        username: user.username,
        email: user.email,
        bio: null,
        image: null,
        token: expect.any(String),
      },
    });
  });

  it('accepts the Bearer scheme as well as Token', async () => {
    const user = await registerUser(t.app);
    const response = await currentUser(`Bearer ${user.token}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().user.username).toBe(user.username);
  });

  it('accepts the scheme in any case', async () => {
    const user = await registerUser(t.app);
    const response = await currentUser(`token ${user.token}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().user.username).toBe(user.username);
  });

  it('serves the same user under the legacy /api prefix', async () => {
    const user = await registerUser(t.app);
    const canonical = (await currentUser(user.headers.authorization)).json().user;
    const response = await currentUser(user.headers.authorization, '/api/user');
    expect(response.statusCode).toBe(200);
    expect({ ...response.json().user, token: '' }).toEqual({ ...canonical, token: '' });
  });

  it('returns 401 token_missing without an Authorization header', async () => {
    const before = await rowCounts(t.db);
    const response = await currentUser();
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      errors: { token: ['is missing'] },
      error: { code: 'token_missing' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it.each([
    ['a garbage token', 'Token not-a-jwt'],
    ['the Basic scheme', 'Basic x'],
    ['a scheme without a token', 'Token'],
    ['two tokens', 'Token a b'],
  ])('returns 401 token_invalid for %s', async (_case, authorization) => {
    const before = await rowCounts(t.db);
    const response = await currentUser(authorization);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject(TOKEN_INVALID);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_invalid for a token signed with another secret', async () => {
    const forged = await signToken('another-secret-that-is-32-bytes-long!!', '1');
    const before = await rowCounts(t.db);
    const response = await currentUser(`Token ${forged}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject(TOKEN_INVALID);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_invalid for an expired token', async () => {
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const expired = await signToken(TEST_TOKEN_SECRET, '1', anHourAgo);
    const before = await rowCounts(t.db);
    const response = await currentUser(`Token ${expired}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject(TOKEN_INVALID);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_invalid for a valid token whose user does not exist', async () => {
    const stale = await signToken(TEST_TOKEN_SECRET, '999999999');
    const before = await rowCounts(t.db);
    const response = await currentUser(`Token ${stale}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject(TOKEN_INVALID);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_invalid for a token whose subject is not a user id', async () => {
    const odd = await signToken(TEST_TOKEN_SECRET, 'admin');
    const response = await currentUser(`Token ${odd}`);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject(TOKEN_INVALID);
  });
});

describe('a valid token of an account that no longer exists', () => {
  it('is refused with 401 token_invalid on reads and writes alike, writing nothing', async () => {
    const author = await registerUser(t.app);
    const article = await createArticle(t.app, author);
    await t.db.delete(usersTable).where(eq(usersTable.username, author.username));
    const before = await rowCounts(t.db);
    const requests = [
      { method: 'GET', url: '/api/v1/articles/feed' },
      { method: 'GET', url: '/api/v1/articles' },
      {
        method: 'POST',
        url: '/api/v1/articles',
        payload: { article: { title: 't', description: 'd', body: 'b' } },
      },
      { method: 'POST', url: `/api/v1/articles/${article.slug}/favorite` },
    ] as const;
    for (const request of requests) {
      const response = await t.app.inject({ ...request, headers: author.headers });
      expect(response.statusCode, request.url).toBe(401);
      expect(response.json()).toMatchObject({
        errors: { token: ['is invalid'] },
        error: { code: 'token_invalid' },
      });
    }
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
