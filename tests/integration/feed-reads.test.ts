import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';

// A database of its own: which way the feed is read depends on how many articles there are.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function feedPage(reader: RegisteredUser, limit: number, offset: number) {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/v1/articles/feed?limit=${String(limit)}&offset=${String(offset)}`,
    headers: reader.headers,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ articles: { slug: string }[]; articlesCount: number }>();
}

describe('the feed', () => {
  it('lists what the followed authors published, newest first, whichever way it is read', async () => {
    const [first, second, other, reader] = [
      await registerUser(t.app),
      await registerUser(t.app),
      await registerUser(t.app),
      await registerUser(t.app),
    ];
    for (const author of [first, second]) {
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/v1/profiles/${author.username}/follow`,
        headers: reader.headers,
      });
      expect(response.statusCode).toBe(200);
    }
    // 110 articles by the followed authors, with 5 by someone else among them, oldest first.
    const followed: string[] = [];
    for (let index = 0; index < 115; index++) {
      const author = index % 23 === 0 ? other : index % 2 === 0 ? first : second;
      const { slug } = await createArticle(t.app, author);
      if (author !== other) followed.push(slug);
    }
    const newestFirst = followed.reverse();

    // Feed 110 of 115 articles: 110² = 12 100 ≥ (offset + 100) × 115 for the first page, so
    // it walks the newest articles; from offset 6 on it gathers the followed authors' instead.
    for (const [limit, offset] of [
      [20, 0],
      [10, 5],
      [10, 6],
      [50, 40],
      [20, 100],
    ] as const) {
      const page = await feedPage(reader, limit, offset);
      expect(page.articlesCount).toBe(110);
      expect(page.articles.map((article) => article.slug)).toEqual(
        newestFirst.slice(offset, offset + limit),
      );
    }
  });
});
