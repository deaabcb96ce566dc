import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config.js';
import { createTestApp, rowCounts, TEST_TOKEN_SECRET, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, unique } from '../helpers/factories.js';

/** The limits as the composition root wires them, on every route that declares one. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp(
    loadConfig({
      NODE_ENV: 'test',
      TOKEN_SECRET: TEST_TOKEN_SECRET,
      RATE_LIMIT_REGISTRATION_IP_PER_HOUR: '3',
      RATE_LIMIT_WRITES_PER_MINUTE: '2',
      RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE: '1',
    }),
  );
});
afterAll(() => t.close());

describe('rate limits through buildApp', () => {
  it('limits writes per user across routes and prefixes, writing nothing when refused', async () => {
    const author = await registerUser(t.app);
    const article = await createArticle(t.app, author);
    const favorite = await t.app.inject({
      method: 'POST',
      url: `/api/articles/${article.slug}/favorite`,
      headers: author.headers,
    });
    expect(favorite.statusCode).toBe(200);
    const before = await rowCounts(t.db);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/articles/${article.slug}/comments`,
      headers: author.headers,
      payload: { comment: { body: 'hi' } },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('limits registrations per address and logins per account', async () => {
    const user = await registerUser(t.app);
    const login = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/users/login',
        payload: { user: { email: user.email, password: user.password } },
      });
    expect((await login()).statusCode).toBe(200);
    expect((await login()).statusCode).toBe(429);
    await registerUser(t.app);
    const name = unique();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { user: { username: name, email: `${name}@example.com`, password: 'password123' } },
    });
    // Three from 127.0.0.1 already: the author of the first test and the two users above.
    expect(response.statusCode).toBe(429);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^rate_limit_rejections_total\{limit="registration-ip"\} 1$/m);
  });
});
