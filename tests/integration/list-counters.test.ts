import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { articlesTable } from '../../src/infrastructure/db/schema/articles.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { createTestApp, driftedColumns, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
let users: RegisteredUser[];

beforeAll(async () => {
  t = await createTestApp();
  users = [];
  for (let index = 0; index < 3; index++) users.push(await registerUser(t.app));
});
afterAll(() => t.close());

/** The reader's feed total equals the articles their feed lists. */
async function expectFeedTotalExact(reader: RegisteredUser): Promise<void> {
  const feed = await t.app.inject({
    method: 'GET',
    url: '/api/v1/articles/feed?limit=100',
    headers: reader.headers,
  });
  const { articles, articlesCount } = feed.json<{ articles: unknown[]; articlesCount: number }>();
  expect(articlesCount).toBe(articles.length);
}

function userAt(index: number): RegisteredUser {
  const found = users[index];
  if (found === undefined) throw new Error(`no user ${String(index)}`);
  return found;
}

describe('list counters', () => {
  it('answer every list total from the counters, equal to the rows listed', async () => {
    const [author, reader] = users as [RegisteredUser, RegisteredUser];
    const slugs: string[] = [];
    for (const tagList of [['alpha'], ['alpha', 'beta'], []]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/articles',
        headers: author.headers,
        payload: { article: { title: 'Totals', description: 'd', body: 'b', tagList } },
      });
      slugs.push(response.json<{ article: { slug: string } }>().article.slug);
    }
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/articles/${slugs[0] ?? ''}/favorite`,
      headers: reader.headers,
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${author.username}/follow`,
      headers: reader.headers,
    });

    for (const query of [
      '',
      '?tag=alpha',
      `?author=${author.username}`,
      `?favorited=${reader.username}`,
      `?tag=alpha&author=${author.username}`,
    ]) {
      const all = await t.app.inject({
        method: 'GET',
        url: `/api/v1/articles${query}${query === '' ? '?' : '&'}limit=100`,
      });
      const { articles, articlesCount } = all.json<{
        articles: unknown[];
        articlesCount: number;
      }>();
      expect({ query, articlesCount }).toEqual({ query, articlesCount: articles.length });
    }
    await expectFeedTotalExact(reader);
  });

  it('the drift check names each copy that a write failed to keep', async () => {
    const author = userAt(0);
    const { slug } = await createArticle(t.app, author, { title: 'Tampered', tagList: ['alpha'] });
    await t.db
      .update(articlesTable)
      .set({ tagList: ['beta'], favoritesCount: 7 })
      .where(eq(articlesTable.slug, slug));
    await t.db
      .update(usersTable)
      .set({ articlesCount: 1000 })
      .where(eq(usersTable.username, author.username));

    expect((await driftedColumns(t.db)).sort()).toEqual([
      'articles.favorites_count',
      'articles.tag_list',
      'users.articles_count',
    ]);
  });
});
