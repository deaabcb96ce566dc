import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, rowCounts, type TestApp } from '../helpers/app.js';
import { registerUser, unique } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('POST /api/v1/users', () => {
  it('registers a user and returns a token, with bio and image null', async () => {
    const name = unique();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        user: {
          username: name,
          email: `${name.toUpperCase()}@Example.com`,
          password: 'password123',
        },
      },
    });
    expect(response.statusCode).toBe(201);
    const { user } = response.json();
    expect(user).toMatchObject({
      username: name,
      email: `${name}@example.com`,
      bio: null,
      image: null,
    });
    expect(user.token).toEqual(expect.any(String));
    expect(Object.keys(user).sort()).toEqual(['bio', 'email', 'image', 'token', 'username']);
  });

  it('returns 409 for a taken username, whatever its case, and writes nothing', async () => {
    const existing = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        user: {
          username: existing.username.toUpperCase(),
          email: `${unique()}@x.io`,
          password: 'password123',
        },
      },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      errors: { username: ['has already been taken'] },
      error: { code: 'already_taken' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
