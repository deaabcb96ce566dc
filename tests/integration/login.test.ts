import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { createTestApp, rowChanges, rowCounts, type TestApp } from '../helpers/app.js';
import { registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function login(payload: unknown, url = '/api/v1/users/login') {
  return t.app.inject({ method: 'POST', url, payload: payload as object });
}

const INVALID_CREDENTIALS = {
  errors: { credentials: ['invalid'] },
  error: { code: 'invalid_credentials' },
};

describe('POST /api/v1/users/login', () => {
  it('logs in and returns the user with a working token', async () => {
    const registered = await registerUser(t.app);
    const response = await login({
      user: { email: registered.email, password: registered.password },
    });
    expect(response.statusCode).toBe(200);
    const { user } = response.json();
    expect(user).toEqual({
      username: registered.username,
      email: registered.email,
      bio: null,
      image: null,
      token: expect.any(String),
    });
    const current = await t.app.inject({
      method: 'GET',
      url: '/api/v1/user',
      headers: { authorization: `Token ${user.token as string}` },
    });
    expect(current.json().user.username).toBe(registered.username);
  });

  it('accepts the email in any case', async () => {
    const registered = await registerUser(t.app);
    const response = await login({
      user: { email: registered.email.toUpperCase(), password: registered.password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.email).toBe(registered.email);
  });

  /** Writes `email` as `user`'s stored address behind Keel's back, as an older rule kept it. */
  async function storeEmail(user: RegisteredUser, email: string): Promise<string> {
    await t.db.update(usersTable).set({ email }).where(eq(usersTable.username, user.username));
    return email;
  }

  it('logs in an account whose stored email registration refuses now', async () => {
    // Stored under the looser rule before it (spec.md §2.3): the account must not be locked out.
    const registered = await registerUser(t.app);
    const stored = await storeEmail(registered, `${registered.username}@example.com(x)`);
    const response = await login({ user: { email: stored, password: registered.password } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.email).toBe(stored);
  });

  it('accepts any spelling of the mailbox: its domain in punycode or decomposed', async () => {
    const name = unique();
    const email = `${name}@bücher.example`;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { user: { username: name, email, password: 'password123' } },
    });
    expect(created.statusCode).toBe(201);
    for (const spelling of [`${name}@xn--bcher-kva.example`, `${name}@bu\u0308cher.example`]) {
      const response = await login({ user: { email: spelling, password: 'password123' } });
      expect(response.statusCode).toBe(200);
      expect(response.json().user.email).toBe(email);
    }
  });

  it('logs in an account stored before addresses had one spelling, with its spelling', async () => {
    const registered = await registerUser(t.app);
    const stored = await storeEmail(registered, `${registered.username}@xn--bcher-kva.example`);
    const response = await login({ user: { email: stored, password: registered.password } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.email).toBe(stored);
  });

  it('serves the same login under the legacy /api prefix', async () => {
    const registered = await registerUser(t.app);
    const credentials = { user: { email: registered.email, password: registered.password } };
    const canonical = (await login(credentials)).json().user;
    const response = await login(credentials, '/api/users/login');
    expect(response.statusCode).toBe(200);
    expect({ ...response.json().user, token: '' }).toEqual({ ...canonical, token: '' });
  });

  it('returns 401 invalid_credentials for a wrong password, writing only its audit entry', async () => {
    const registered = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await login({ user: { email: registered.email, password: 'wrongpassword' } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject(INVALID_CREDENTIALS);
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({ auditEvents: 1 });
  });

  it('returns the same 401 body for an unknown email as for a wrong password', async () => {
    const registered = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const wrongPassword = await login({
      user: { email: registered.email, password: 'wrongpassword' },
    });
    const unknownEmail = await login({
      user: { email: `${unique()}@example.com`, password: registered.password },
    });
    expect(unknownEmail.statusCode).toBe(401);
    expect(unknownEmail.json()).toMatchObject(INVALID_CREDENTIALS);
    expect(unknownEmail.json()).toEqual(wrongPassword.json());
    // Each failure is audited, the same way: nothing else is written.
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({ auditEvents: 2 });
  });

  it('refuses a password with a lone surrogate: hashed as U+FFFD, it would open an account whose password has U+FFFD there', async () => {
    const registered = await registerUser(t.app);
    const name = unique();
    const withReplacement = { email: `${name}@example.com`, password: 'password\ufffd' };
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { user: { username: name, ...withReplacement } },
    });
    expect(created.statusCode).toBe(201);
    const before = await rowCounts(t.db);
    for (const email of [withReplacement.email, registered.email]) {
      const response = await login({ user: { email, password: 'password\ud800' } });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        errors: { password: ['must be valid Unicode text'] },
        error: { code: 'validation_failed' },
      });
    }
    expect(await rowCounts(t.db)).toEqual(before);
    expect((await login({ user: withReplacement })).statusCode).toBe(200);
  });

  it.each([
    ['the email is blank', { email: '' }, { email: ["can't be blank"] }],
    ['the password is blank', { password: '' }, { password: ["can't be blank"] }],
    ['the email is a number', { email: 42 }, { email: ['must be string'] }],
    ['the password is a number', { password: 12345678 }, { password: ['must be string'] }],
    ['the password is null', { password: null }, { password: ['must be string'] }],
    ['a field is unknown', { username: 'someone' }, { username: ['is not a known field'] }],
  ])('returns 422 when %s and writes nothing', async (_case, override, errors) => {
    const before = await rowCounts(t.db);
    const response = await login({
      user: { email: `${unique()}@example.com`, password: 'password123', ...override },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors, error: { code: 'validation_failed' } });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it.each([
    ['the email is missing', { password: 'password123' }, { email: ['is required'] }],
    ['the password is missing', { email: 'a@example.com' }, { password: ['is required'] }],
    ['both fields are missing', {}, { email: ['is required'], password: ['is required'] }],
  ])('returns 422 when %s', async (_case, user, errors) => {
    const before = await rowCounts(t.db);
    const response = await login({ user });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors, error: { code: 'validation_failed' } });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 422 when the "user" wrapper is missing', async () => {
    const before = await rowCounts(t.db);
    const response = await login({ email: 'a@example.com', password: 'password123' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: { user: ['is required'] },
      error: { code: 'validation_failed' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
