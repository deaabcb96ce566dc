import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, rowChanges, rowCounts, type TestApp } from '../helpers/app.js';
import { registerUser, unique } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function newUser(): { username: string; email: string; password: string } {
  const name = unique();
  return { username: name, email: `${name}@example.com`, password: 'password123' };
}

function register(payload: unknown, url = '/api/v1/users') {
  return t.app.inject({ method: 'POST', url, payload: payload as object });
}

describe('POST /api/v1/users', () => {
  it('registers a user and returns a token, with bio and image null', async () => {
    const name = unique();
    const response = await register({
      user: {
        username: name,
        email: `${name.toUpperCase()}@Example.com`,
        password: 'password123',
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

  it('stores exactly one new user', async () => {
    const before = await rowCounts(t.db);
    const response = await register({ user: newUser() });
    expect(response.statusCode).toBe(201);
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({ users: 1, outboxEvents: 1 });
  });

  it('returns a token that authenticates the new user', async () => {
    const user = newUser();
    const token: string = (await register({ user })).json().user.token;
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/user',
      headers: { authorization: `Token ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ username: user.username, email: user.email });
  });

  it('serves the same registration under the legacy /api prefix', async () => {
    const user = newUser();
    const response = await register({ user }, '/api/users');
    expect(response.statusCode).toBe(201);
    expect(response.json().user).toMatchObject({
      username: user.username,
      email: user.email,
      bio: null,
      image: null,
    });
  });

  it.each([
    ['the username is taken', (name: string) => name],
    ['the username is taken in another case', (name: string) => name.toUpperCase()],
  ])('returns 409 when %s and writes nothing', async (_case, spell) => {
    const existing = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await register({
      user: { ...newUser(), username: spell(existing.username) },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      errors: { username: ['has already been taken'] },
      error: { code: 'already_taken' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it.each([
    ['the email is taken', (email: string) => email],
    ['the email is taken in another case', (email: string) => email.toUpperCase()],
  ])('returns 409 when %s and writes nothing', async (_case, spell) => {
    const existing = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await register({ user: { ...newUser(), email: spell(existing.email) } });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      errors: { email: ['has already been taken'] },
      error: { code: 'already_taken' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it.each([
    ['in punycode', 'xn--bcher-kva.example'],
    ['decomposed', 'bu\u0308cher.example'],
  ])(
    'returns 409 for the address of a taken mailbox with its domain %s, and writes nothing',
    async (_case, domain) => {
      const name = unique();
      const first = await register({
        user: { ...newUser(), email: `${name}@bücher.example` },
      });
      expect(first.statusCode).toBe(201);
      const before = await rowCounts(t.db);
      const response = await register({ user: { ...newUser(), email: `${name}@${domain}` } });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ errors: { email: ['has already been taken'] } });
      expect(await rowCounts(t.db)).toEqual(before);
    },
  );

  it.each([
    ['the username is blank', { username: '' }, { username: ["can't be blank"] }],
    ['the username is only spaces', { username: '   ' }, { username: ["can't be blank"] }],
    ['the email is blank', { email: '' }, { email: ["can't be blank"] }],
    ['the password is blank', { password: '' }, { password: ["can't be blank"] }],
    [
      'the password has fewer than 8 characters',
      { password: 'short7c' },
      { password: ['is too short (minimum is 8 characters)'] },
    ],
    [
      'the password has 257 characters',
      { password: 'p'.repeat(257) },
      { password: ['is too long (maximum is 256 characters)'] },
    ],
    [
      'the password holds a lone surrogate',
      { password: 'pass\ud800word' },
      { password: ['must be valid Unicode text'] },
    ],
    ['the email has no domain', { email: 'someone@' }, { email: ['is invalid'] }],
    ['the email has no "@"', { email: 'someone.example.com' }, { email: ['is invalid'] }],
    // Another spelling of a mailbox to a mail library: `a@b.c` with a comment, or an empty group.
    ['the email has a comment', { email: 'someone@example.com(x)' }, { email: ['is invalid'] }],
    ['the email ends in a colon', { email: 'someone@example.com:' }, { email: ['is invalid'] }],
    [
      'the username contains a space',
      { username: 'john doe' },
      { username: ['may only contain letters, digits, "_", "." and "-"'] },
    ],
    [
      'the username contains a slash',
      { username: 'john/doe' },
      { username: ['may only contain letters, digits, "_", "." and "-"'] },
    ],
    // URL dot segments: /profiles/.. resolves to /, /profiles/./follow to /profiles/follow.
    ['the username is ".."', { username: '..' }, { username: ['can\'t be "." or ".."'] }],
    ['the username is "."', { username: '.' }, { username: ['can\'t be "." or ".."'] }],
    [
      'the username has 65 characters',
      { username: 'u'.repeat(65) },
      { username: ['is too long (maximum is 64 characters)'] },
    ],
    ['the username is a number', { username: 42 }, { username: ['must be string'] }],
    ['the password is a number', { password: 12345678 }, { password: ['must be string'] }],
    ['a field is unknown', { admin: true }, { admin: ['is not a known field'] }],
  ])('returns 422 when %s and writes nothing', async (_case, override, errors) => {
    const before = await rowCounts(t.db);
    const response = await register({ user: { ...newUser(), ...override } });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors, error: { code: 'validation_failed' } });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 422 naming every missing field', async () => {
    const before = await rowCounts(t.db);
    const response = await register({ user: {} });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: { username: ['is required'], email: ['is required'], password: ['is required'] },
      error: { code: 'validation_failed' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 422 naming every field the rules refuse, not only the first', async () => {
    const before = await rowCounts(t.db);
    const response = await register({
      user: { username: 'not valid!', email: 'nobody', password: 'short' },
    });
    expect(response.statusCode).toBe(422);
    expect(Object.keys(response.json().errors).sort()).toEqual(['email', 'password', 'username']);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 422 when the "user" wrapper is missing', async () => {
    const before = await rowCounts(t.db);
    const response = await register(newUser());
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: { user: ['is required'] },
      error: { code: 'validation_failed' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
