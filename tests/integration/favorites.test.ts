import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  rowChanges,
  rowCounts,
  type TestApp,
  expectRefused,
} from '../helpers/app.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
let author: RegisteredUser;
beforeAll(async () => {
  t = await createTestApp();
  author = await registerUser(t.app);
});
afterAll(() => t.close());

function favoriteRequest(
  method: 'POST' | 'DELETE',
  slug: string,
  user?: RegisteredUser,
): InjectOptions {
  return { method, url: `/api/v1/articles/${slug}/favorite`, headers: user?.headers ?? {} };
}

async function send(method: 'POST' | 'DELETE', slug: string, user: RegisteredUser) {
  const response = await t.app.inject(favoriteRequest(method, slug, user));
  expect(response.statusCode).toBe(200);
  return response.json<{ article: Record<string, unknown> }>().article;
}

describe('POST /api/v1/articles/:slug/favorite', () => {
  it('favorites the article for the caller', async () => {
    const { slug } = await createArticle(t.app, author);
    const fan = await registerUser(t.app);
    const article = await send('POST', slug, fan);
    expect(article).toMatchObject({ slug, favorited: true, favoritesCount: 1, body: 'A body' });
  });

  it('is idempotent: favoriting twice still counts once', async () => {
    const { slug } = await createArticle(t.app, author);
    const fan = await registerUser(t.app);
    await send('POST', slug, fan);
    const before = await rowCounts(t.db);
    expect(await send('POST', slug, fan)).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('counts favorites of different users', async () => {
    const { slug } = await createArticle(t.app, author);
    await send('POST', slug, await registerUser(t.app));
    const second = await send('POST', slug, await registerUser(t.app));
    expect(second).toMatchObject({ favorited: true, favoritesCount: 2 });
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/articles/${slug}` });
    expect(anonymous.json().article).toMatchObject({ favorited: false, favoritesCount: 2 });
  });

  it('counts exactly 10 favorites made concurrently by 10 users', async () => {
    const { slug } = await createArticle(t.app, author);
    const fans: RegisteredUser[] = [];
    for (let i = 0; i < 10; i++) fans.push(await registerUser(t.app));
    const before = await rowCounts(t.db);

    const responses = await Promise.all(
      fans.map((fan) => t.app.inject(favoriteRequest('POST', slug, fan))),
    );

    expect(responses.map((response) => response.statusCode)).toEqual(Array(10).fill(200));
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({ favorites: 10, outboxEvents: 10 });
    const article = await t.app.inject({ method: 'GET', url: `/api/v1/articles/${slug}` });
    expect(article.json().article.favoritesCount).toBe(10);
  });

  it('returns 404 for an unknown slug', async () => {
    const fan = await registerUser(t.app);
    await expectRefused(t, favoriteRequest('POST', 'no-such-article', fan), 404, 'not_found', {
      article: ['not found'],
    });
  });

  it('returns 401 without a token', async () => {
    const { slug } = await createArticle(t.app, author);
    await expectRefused(t, favoriteRequest('POST', slug), 401, 'token_missing', {
      token: ['is missing'],
    });
  });

  it('works through the legacy /api prefix', async () => {
    const { slug } = await createArticle(t.app, author);
    const fan = await registerUser(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/articles/${slug}/favorite`,
      headers: fan.headers,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().article).toMatchObject({ favorited: true, favoritesCount: 1 });
  });
});

describe('DELETE /api/v1/articles/:slug/favorite', () => {
  it('unfavorites the article and decrements the count', async () => {
    const { slug } = await createArticle(t.app, author);
    const fan = await registerUser(t.app);
    const other = await registerUser(t.app);
    await send('POST', slug, fan);
    await send('POST', slug, other);
    const before = await rowCounts(t.db);

    const article = await send('DELETE', slug, fan);

    expect(article).toMatchObject({ slug, favorited: false, favoritesCount: 1 });
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({ favorites: -1, outboxEvents: 1 });
  });

  it('changes nothing when the caller had not favorited the article', async () => {
    const { slug } = await createArticle(t.app, author);
    const fan = await registerUser(t.app);
    await send('POST', slug, fan);
    const stranger = await registerUser(t.app);
    const before = await rowCounts(t.db);

    const article = await send('DELETE', slug, stranger);

    expect(article).toMatchObject({ favorited: false, favoritesCount: 1 });
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns 404 for an unknown slug', async () => {
    const fan = await registerUser(t.app);
    await expectRefused(t, favoriteRequest('DELETE', 'no-such-article', fan), 404, 'not_found', {
      article: ['not found'],
    });
  });

  it('returns 401 without a token', async () => {
    const { slug } = await createArticle(t.app, author);
    const fan = await registerUser(t.app);
    await send('POST', slug, fan);
    await expectRefused(t, favoriteRequest('DELETE', slug), 401, 'token_missing', {
      token: ['is missing'],
    });
  });
});
