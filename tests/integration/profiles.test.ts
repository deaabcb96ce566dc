import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, rowChanges, rowCounts, type TestApp } from '../helpers/app.js';
import { registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function getProfile(username: string, viewer?: RegisteredUser, prefix = '/api/v1') {
  return t.app.inject({
    method: 'GET',
    url: `${prefix}/profiles/${username}`,
    ...(viewer !== undefined && { headers: viewer.headers }),
  });
}

function follow(
  method: 'POST' | 'DELETE',
  username: string,
  follower?: RegisteredUser,
  prefix = '/api/v1',
) {
  return t.app.inject({
    method,
    url: `${prefix}/profiles/${username}/follow`,
    ...(follower !== undefined && { headers: follower.headers }),
  });
}

const PROFILE_NOT_FOUND = { errors: { profile: ['not found'] }, error: { code: 'not_found' } };

describe('GET /api/v1/profiles/:username', () => {
  it('returns the profile to an anonymous caller, not followed', async () => {
    const celeb = await registerUser(t.app);
    const response = await getProfile(celeb.username);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      profile: { username: celeb.username, bio: null, image: null, following: false },
    });
  });

  it('returns the bio and image the user set', async () => {
    const celeb = await registerUser(t.app);
    const changes = { bio: 'Famous.', image: 'https://example.com/celeb.png' };
    await t.app.inject({
      method: 'PUT',
      url: '/api/v1/user',
      headers: celeb.headers,
      payload: { user: changes },
    });
    const response = await getProfile(celeb.username);
    expect(response.json().profile).toEqual({
      username: celeb.username,
      ...changes,
      following: false,
    });
  });

  it('tells an authenticated caller whether they follow the user', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    expect((await getProfile(celeb.username, fan)).json().profile.following).toBe(false);
    await follow('POST', celeb.username, fan);
    const response = await getProfile(celeb.username, fan);
    expect(response.statusCode).toBe(200);
    expect(response.json().profile).toMatchObject({ username: celeb.username, following: true });
    expect((await getProfile(celeb.username)).json().profile.following).toBe(false);
  });

  it('serves the same profile under the legacy /api prefix', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    await follow('POST', celeb.username, fan);
    const legacy = await getProfile(celeb.username, fan, '/api');
    expect(legacy.statusCode).toBe(200);
    expect(legacy.json()).toEqual((await getProfile(celeb.username, fan)).json());
  });

  it.each([
    ['an unknown username', () => unique('ghost')],
    ['a username that could not exist', () => 'a%20b'],
    ['a 200-character username', () => 'a'.repeat(200)],
  ])('returns 404 not_found for %s', async (_case, username) => {
    const before = await rowCounts(t.db);
    const response = await getProfile(username());
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject(PROFILE_NOT_FOUND);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_invalid for a bad token, even though a token is optional', async () => {
    const celeb = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/profiles/${celeb.username}`,
      headers: { authorization: 'Token not-a-jwt' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      errors: { token: ['is invalid'] },
      error: { code: 'token_invalid' },
    });
  });
});

describe('POST /api/v1/profiles/:username/follow', () => {
  it('follows the user and persists it', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    const before = await rowCounts(t.db);
    const response = await follow('POST', celeb.username, fan);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      profile: { username: celeb.username, bio: null, image: null, following: true },
    });
    // A reader's first follow also opens their feed total (spec.md §3); the event commits with it.
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({
      follows: 1,
      feedTotals: 1,
      outboxEvents: 1,
    });
    expect((await getProfile(celeb.username, fan)).json().profile.following).toBe(true);
  });

  it('is idempotent: following twice keeps one follow', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    const before = await rowCounts(t.db);
    await follow('POST', celeb.username, fan);
    const again = await follow('POST', celeb.username, fan);
    expect(again.statusCode).toBe(200);
    expect(again.json().profile.following).toBe(true);
    // The second follow changes nothing, so it records no event either.
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({
      follows: 1,
      feedTotals: 1,
      outboxEvents: 1,
    });
  });

  it('follows through the legacy /api prefix', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    const response = await follow('POST', celeb.username, fan, '/api');
    expect(response.statusCode).toBe(200);
    expect(response.json().profile.following).toBe(true);
    expect((await getProfile(celeb.username, fan)).json().profile.following).toBe(true);
  });

  it('returns 404 not_found for an unknown user and writes nothing', async () => {
    const fan = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await follow('POST', unique('ghost'), fan);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject(PROFILE_NOT_FOUND);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_missing without a token and writes nothing', async () => {
    const celeb = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await follow('POST', celeb.username);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      errors: { token: ['is missing'] },
      error: { code: 'token_missing' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 422 when following yourself and writes nothing', async () => {
    const fan = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await follow('POST', fan.username, fan);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: { profile: ['cannot follow yourself'] },
      error: { code: 'validation_failed' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});

describe('DELETE /api/v1/profiles/:username/follow', () => {
  it('unfollows the user and persists it', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    await follow('POST', celeb.username, fan);
    const before = await rowCounts(t.db);
    const response = await follow('DELETE', celeb.username, fan);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      profile: { username: celeb.username, bio: null, image: null, following: false },
    });
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({ follows: -1, outboxEvents: 1 });
    expect((await getProfile(celeb.username, fan)).json().profile.following).toBe(false);
  });

  it('returns 200 not following when the caller did not follow the user', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    const before = await rowCounts(t.db);
    const response = await follow('DELETE', celeb.username, fan);
    expect(response.statusCode).toBe(200);
    expect(response.json().profile).toMatchObject({ username: celeb.username, following: false });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('unfollows only for the caller, not for other followers', async () => {
    const [fan, otherFan, celeb] = [
      await registerUser(t.app),
      await registerUser(t.app),
      await registerUser(t.app),
    ];
    await follow('POST', celeb.username, fan);
    await follow('POST', celeb.username, otherFan);
    await follow('DELETE', celeb.username, fan);
    expect((await getProfile(celeb.username, otherFan)).json().profile.following).toBe(true);
  });

  it('returns 404 not_found for an unknown user', async () => {
    const fan = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await follow('DELETE', unique('ghost'), fan);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject(PROFILE_NOT_FOUND);
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 401 token_missing without a token and removes nothing', async () => {
    const [fan, celeb] = [await registerUser(t.app), await registerUser(t.app)];
    await follow('POST', celeb.username, fan);
    const before = await rowCounts(t.db);
    const response = await follow('DELETE', celeb.username);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      errors: { token: ['is missing'] },
      error: { code: 'token_missing' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 422 when unfollowing yourself', async () => {
    const fan = await registerUser(t.app);
    const before = await rowCounts(t.db);
    const response = await follow('DELETE', fan.username, fan);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: { profile: ['cannot follow yourself'] },
      error: { code: 'validation_failed' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
