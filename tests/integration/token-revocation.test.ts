import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, expectRefused, TEST_TOKEN_SECRET, type TestApp } from '../helpers/app.js';
import {
  createArticle,
  registerUser,
  type CreatedArticle,
  type RegisteredUser,
} from '../helpers/factories.js';

let t: TestApp;
let author: RegisteredUser;
let article: CreatedArticle;
beforeAll(async () => {
  t = await createTestApp();
  author = await registerUser(t.app);
  article = await createArticle(t.app, author);
});
afterAll(() => t.close());

const TOKEN_INVALID = { token: ['is invalid'] };

/** One request of each kind a token can be sent to: reads (optional and required) and writes. */
function requests(user: RegisteredUser) {
  return [
    { method: 'GET', url: '/api/v1/user' },
    { method: 'GET', url: '/api/v1/articles/feed' },
    { method: 'GET', url: '/api/v1/articles' },
    { method: 'GET', url: `/api/v1/articles/${article.slug}` },
    { method: 'GET', url: `/api/v1/articles/${article.slug}/comments` },
    { method: 'GET', url: `/api/v1/profiles/${author.username}` },
    { method: 'GET', url: '/api/user' },
    { method: 'PUT', url: '/api/v1/user', payload: { user: { bio: 'still me' } } },
    {
      method: 'POST',
      url: '/api/v1/articles',
      payload: { article: { title: 't', description: 'd', body: 'b' } },
    },
    { method: 'POST', url: `/api/v1/articles/${article.slug}/favorite` },
    { method: 'POST', url: `/api/v1/profiles/${author.username}/follow` },
    { method: 'POST', url: '/api/v1/user/logout-all' },
  ].map((request) => ({ ...request, headers: user.headers }) as const);
}

async function expectRevoked(user: RegisteredUser): Promise<void> {
  for (const request of requests(user)) {
    await expectRefused(t, request, 401, 'token_invalid', TOKEN_INVALID);
  }
}

async function expectWorks(user: RegisteredUser): Promise<void> {
  for (const request of requests(user)) {
    // Logging out would revoke the token this check is about.
    if (request.url.endsWith('/logout-all')) continue;
    const response = await t.app.inject(request);
    expect(response.statusCode, `${request.method} ${request.url}`).toBeLessThan(300);
  }
}

/** `user` holding `token` instead of the one it registered with. */
function holding(user: RegisteredUser, token: string): RegisteredUser {
  return { ...user, token, headers: { authorization: `Token ${token}` } };
}

async function login(user: RegisteredUser, password = user.password): Promise<RegisteredUser> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/users/login',
    payload: { user: { email: user.email, password } },
  });
  expect(response.statusCode).toBe(200);
  return holding(user, response.json<{ user: { token: string } }>().user.token);
}

describe('an account update', () => {
  it('revokes no token without a new password', async () => {
    const user = await registerUser(t.app);
    const other = await login(user);
    const response = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/user',
      headers: user.headers,
      payload: { user: { bio: 'new bio' } },
    });
    expect(response.statusCode).toBe(200);
    await expectWorks(user);
    await expectWorks(other);
  });

  it("with a new password revokes every other token, and keeps the caller's (the RealWorld contract reuses it)", async () => {
    const user = await registerUser(t.app);
    const thief = await login(user);
    // Each read caches the account's standing first (spec.md §5): the revocation must drop it.
    await expectWorks(thief);
    // Changed twice with one token, as the official suite does.
    let fresh = user;
    for (const changes of [{ password: 'a new passphrase' }, { password: 'another one' }]) {
      const response = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/user',
        headers: user.headers,
        payload: { user: changes },
      });
      expect(response.statusCode).toBe(200);
      fresh = holding(user, response.json<{ user: { token: string } }>().user.token);
    }
    // The thief first: a newer token read before it would refresh the cached standing anyway.
    await expectRevoked(thief);
    await expectWorks(user);
    await expectWorks(fresh);
    // Log out everywhere leaves none, the kept token included.
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/user/logout-all',
      headers: user.headers,
    });
    expect(out.statusCode).toBe(204);
    await expectRevoked(user);
    await expectRevoked(fresh);
  });
});

describe('POST /api/v1/user/logout-all', () => {
  it('answers 204 without a body and revokes every earlier token, its own included', async () => {
    const user = await registerUser(t.app);
    const other = await login(user);
    // Each read caches the account's standing first (spec.md §5): the revocation must drop it.
    await expectWorks(other);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/user/logout-all',
      headers: other.headers,
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    await expectRevoked(user);
    await expectRevoked(other);
  });

  it('leaves logging in again possible, with a token that works', async () => {
    const user = await registerUser(t.app);
    await t.app.inject({ method: 'POST', url: '/api/user/logout-all', headers: user.headers });
    await expectRevoked(user);
    await expectWorks(await login(user));
  });

  it('needs a token', async () => {
    await expectRefused(
      t,
      { method: 'POST', url: '/api/v1/user/logout-all' },
      401,
      'token_missing',
      { token: ['is missing'] },
    );
  });
});

describe('the token version claim', () => {
  /** The account id `user`'s registration token names. */
  function userIdOf(user: RegisteredUser): string {
    const [, payload = ''] = user.token.split('.');
    return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string }).sub;
  }

  /** A token Keel's secret signed for `user`'s account, with `payload` as its other claims. */
  function signed(user: RegisteredUser, payload: Record<string, unknown>): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userIdOf(user))
      .setIssuer('keel')
      .setAudience('keel')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_TOKEN_SECRET));
  }

  it.each([
    ['missing', {}],
    ['a version the account never had', { token_version: 1 }],
    ['negative', { token_version: -1 }],
    ['a string', { token_version: '0' }],
    ['a fraction', { token_version: 0.5 }],
  ])('is refused with 401 when %s', async (_case, payload) => {
    const user = await registerUser(t.app);
    await expectRevoked(holding(user, await signed(user, payload)));
  });

  it("is accepted when it is the account's current version", async () => {
    const user = await registerUser(t.app);
    await expectWorks(holding(user, await signed(user, { token_version: 0 })));
  });
});
