import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, rowCounts, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
let author: RegisteredUser;
beforeAll(async () => {
  t = await createTestApp();
  author = await registerUser(t.app);
});
afterAll(() => t.close());

async function tags(prefix = '/api/v1'): Promise<string[]> {
  const response = await t.app.inject({ method: 'GET', url: `${prefix}/tags` });
  expect(response.statusCode).toBe(200);
  return response.json<{ tags: string[] }>().tags;
}

describe('GET /api/v1/tags', () => {
  it('lists the tags in use, sorted by name', async () => {
    const id = unique('t').toLowerCase();
    await createArticle(t.app, author, { tagList: [`${id}-gamma`, `${id}-alpha`] });
    await createArticle(t.app, author, { tagList: [`${id}-beta`] });
    const mine = (await tags()).filter((tag) => tag.startsWith(id));
    expect(mine).toEqual([`${id}-alpha`, `${id}-beta`, `${id}-gamma`]);
  });

  it('lists a tag shared by several articles once', async () => {
    const shared = unique('shared');
    await createArticle(t.app, author, { tagList: [shared] });
    await createArticle(t.app, author, { tagList: [shared, unique('other')] });
    const all = await tags();
    expect(all.filter((tag) => tag === shared)).toEqual([shared]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('drops a tag once the only article using it is deleted', async () => {
    const orphan = unique('orphan');
    const kept = unique('kept');
    const article = await createArticle(t.app, author, { tagList: [orphan, kept] });
    await createArticle(t.app, author, { tagList: [kept] });
    expect(await tags()).toContain(orphan);

    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/articles/${article.slug}`,
      headers: author.headers,
    });
    expect(response.statusCode).toBe(204);

    const after = await tags();
    expect(after).not.toContain(orphan);
    expect(after).toContain(kept);
  });

  it('drops a tag once it is removed from its only article', async () => {
    const removed = unique('removed');
    const article = await createArticle(t.app, author, { tagList: [removed] });
    const response = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/articles/${article.slug}`,
      headers: author.headers,
      payload: { article: { tagList: [] } },
    });
    expect(response.statusCode).toBe(200);
    expect(await tags()).not.toContain(removed);
  });

  it('ignores the token: an anonymous or an invalid one gets the same tags', async () => {
    await createArticle(t.app, author, { tagList: [unique('any')] });
    const before = await rowCounts(t.db);
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tags',
      headers: { authorization: 'Token not-a-jwt' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().tags).toEqual(await tags());
    expect(await rowCounts(t.db)).toEqual(before);
  });

  it('returns the same tags under the legacy /api prefix', async () => {
    await createArticle(t.app, author, { tagList: [unique('legacy')] });
    expect(await tags('/api')).toEqual(await tags());
  });
});
