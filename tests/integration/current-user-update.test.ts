import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, rowCounts, type TestApp } from '../helpers/app.js';
import { registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function update(user: RegisteredUser | undefined, payload: unknown, url = '/api/v1/user') {
  return t.app.inject({
    method: 'PUT',
    url,
    ...(user !== undefined && { headers: user.headers }),
    payload: payload as object,
  });
}

async function currentUser(token: string): Promise<Record<string, unknown>> {
  const response = await t.app.inject({
    method: 'GET',
    url: '/api/v1/user',
    headers: { authorization: `Token ${token}` },
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ user: Record<string, unknown> }>().user;
}

function login(email: string, password: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/users/login',
    payload: { user: { email, password } },
  });
}

describe('PUT /api/v1/user', () => {
  it.each([
    ['the bio', 'bio', 'I write tests.'],
    ['the image to an https URL', 'image', 'https://example.com/photo.jpg'],
    ['the image to an http URL', 'image', 'http://example.com/photo.jpg'],
  ])('updates %s and persists it', async (_case, field, value) => {
    const user = await registerUser(t.app);
    const response = await update(user, { user: { [field]: value } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ username: user.username, [field]: value });
    expect(await currentUser(user.token)).toMatchObject({ [field]: value });
  });

  it.each([
    ['bio', ''],
    ['bio', null],
    ['image', ''],
    ['image', null],
  ])('clears the %s when it is set to %j', async (field, cleared) => {
    const user = await registerUser(t.app);
    const set = field === 'bio' ? 'A bio' : 'https://example.com/a.png';
    await update(user, { user: { [field]: set } });
    const response = await update(user, { user: { [field]: cleared } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user[field]).toBeNull();
    expect((await currentUser(user.token))[field]).toBeNull();
  });

  it('changes the username and email, and the returned token keeps working', async () => {
    const user = await registerUser(t.app);
    const name = unique();
    const response = await update(user, {
      user: { username: name, email: `${name.toUpperCase()}@example.com` },
    });
    expect(response.statusCode).toBe(200);
    const updated = response.json().user;
    expect(updated).toMatchObject({ username: name, email: `${name}@example.com` });
    expect(await currentUser(updated.token)).toMatchObject({
      username: name,
      email: `${name}@example.com`,
    });
  });

  it('changes the username in case only', async () => {
    const user = await registerUser(t.app);
    const response = await update(user, { user: { username: user.username.toUpperCase() } });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.username).toBe(user.username.toUpperCase());
  });

  it.each([
    ['8', 'bonjour1'],
    ['64', 'a'.repeat(64)],
  ])(
    'accepts a %s-character password, which then logs in instead of the old one',
    async (_length, password) => {
      const user = await registerUser(t.app);
      const response = await update(user, { user: { password } });
      expect(response.statusCode).toBe(200);
      expect((await login(user.email, password)).statusCode).toBe(200);
      const old = await login(user.email, user.password);
      expect(old.statusCode).toBe(401);
      expect(old.json()).toMatchObject({ error: { code: 'invalid_credentials' } });
    },
  );

  it('serves the same update under the legacy /api prefix', async () => {
    const user = await registerUser(t.app);
    const response = await update(user, { user: { bio: 'legacy' } }, '/api/user');
    expect(response.statusCode).toBe(200);
    expect(await currentUser(user.token)).toMatchObject({ bio: 'legacy' });
  });

  it.each([
    ['the username is taken', 'username', (value: string) => value],
    ['the username is taken in another case', 'username', (value: string) => value.toUpperCase()],
    ['the email is taken', 'email', (value: string) => value],
    ['the email is taken in another case', 'email', (value: string) => value.toUpperCase()],
  ] as const)('returns 409 when %s and changes nothing', async (_case, field, spell) => {
    const [user, other] = [await registerUser(t.app), await registerUser(t.app)];
    const before = await rowCounts(t.db);
    const response = await update(user, { user: { [field]: spell(other[field]) } });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      errors: { [field]: ['has already been taken'] },
      error: { code: 'already_taken' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
    expect(await currentUser(user.token)).toMatchObject({
      username: user.username,
      email: user.email,
    });
  });

  it.each([
    ['the username is null', { username: null }, { username: ['must be string'] }],
    ['the username is blank', { username: '' }, { username: ["can't be blank"] }],
    ['the username is ".."', { username: '..' }, { username: ['can\'t be "." or ".."'] }],
    ['the email is null', { email: null }, { email: ['must be string'] }],
    ['the email is blank', { email: '' }, { email: ["can't be blank"] }],
    ['the email is invalid', { email: 'not-an-email' }, { email: ['is invalid'] }],
    ['the email has a comment', { email: 'someone@example.com(x)' }, { email: ['is invalid'] }],
    ['the password is null', { password: null }, { password: ['must be string'] }],
    ['the password is blank', { password: '' }, { password: ["can't be blank"] }],
    [
      'the password has 7 characters',
      { password: 'short7c' },
      { password: ['is too short (minimum is 8 characters)'] },
    ],
    [
      'the image is a javascript: URL',
      { image: 'javascript:alert(1)' },
      { image: ['must be an http or https URL'] },
    ],
    ['the image is not a URL', { image: 'photo.jpg' }, { image: ['must be an http or https URL'] }],
    ['the bio is a number', { bio: 42 }, { bio: ['must be string or null'] }],
    ['the user object is empty', {}, { user: ['must have at least one field'] }],
    [
      'the username, the email, the image and the password are all wrong: each named',
      { username: '..', email: 'not-an-email', image: 'photo.jpg', password: 'short7c' },
      {
        username: ['can\'t be "." or ".."'],
        email: ['is invalid'],
        image: ['must be an http or https URL'],
        password: ['is too short (minimum is 8 characters)'],
      },
    ],
    ['a field is unknown', { bio: 'x', role: 'admin' }, { role: ['is not a known field'] }],
  ])('returns 422 when %s and changes nothing', async (_case, changes, errors) => {
    const user = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await update(user, { user: changes });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors, error: { code: 'validation_failed' } });
    expect(await rowCounts(t.db)).toEqual(before);
    expect(await currentUser(user.token)).toEqual({
      username: user.username,
      email: user.email,
      bio: null,
      image: null,
      token: expect.any(String),
    });
    expect((await login(user.email, user.password)).statusCode).toBe(200);
  });

  it('returns 422 when the "user" wrapper is missing', async () => {
    const user = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await update(user, { bio: 'unwrapped' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: { user: ['is required'] },
      error: { code: 'validation_failed' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_missing without a token and changes nothing', async () => {
    const before = await rowCounts(t.db);
    const response = await update(undefined, { user: { bio: 'anonymous' } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      errors: { token: ['is missing'] },
      error: { code: 'token_missing' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
