import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, expectRefused } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ANONYMOUS: Readonly<Record<string, string>> = {};

async function list(query: string, headers = ANONYMOUS, prefix = '/api/v1') {
  const response = await t.app.inject({
    method: 'GET',
    url: `${prefix}/articles?${query}`,
    headers,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ articles: Record<string, unknown>[]; articlesCount: number }>();
}

async function feed(headers: RegisteredUser['headers'], query = '') {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/v1/articles/feed?${query}`,
    headers,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ articles: Record<string, unknown>[]; articlesCount: number }>();
}

async function inject(method: 'POST' | 'DELETE', url: string, user: RegisteredUser) {
  const response = await t.app.inject({ method, url, headers: user.headers });
  expect(response.statusCode).toBe(200);
}

const slugsOf = (page: { articles: Record<string, unknown>[] }) => page.articles.map((a) => a.slug);

/** An author with three articles, published oldest to newest. */
async function authorWithThree() {
  const author = await registerUser(t.app);
  const articles = [];
  for (let i = 0; i < 3; i++) articles.push(await createArticle(t.app, author));
  return { author, slugs: articles.map((a) => a.slug) };
}

describe('GET /api/v1/articles', () => {
  it('lists articles newest first, without their body', async () => {
    const { author, slugs } = await authorWithThree();
    const page = await list(`author=${author.username}`);
    expect(slugsOf(page)).toEqual([...slugs].reverse());
    for (const article of page.articles) {
      expect(article).not.toHaveProperty('body');
      expect(Object.keys(article).sort()).toEqual([
        'author',
        'createdAt',
        'description',
        'favorited',
        'favoritesCount',
        'slug',
        'tagList',
        'title',
        'updatedAt',
      ]);
    }
  });

  it('counts every matching article, not only the page', async () => {
    const { author, slugs } = await authorWithThree();
    const page = await list(`author=${author.username}&limit=1`);
    expect(slugsOf(page)).toEqual([slugs[2]]);
    expect(page.articlesCount).toBe(3);
  });

  it('pages with limit and offset', async () => {
    const { author, slugs } = await authorWithThree();
    const page = await list(`author=${author.username}&limit=1&offset=1`);
    expect(slugsOf(page)).toEqual([slugs[1]]);
    expect(page.articlesCount).toBe(3);
    expect((await list(`author=${author.username}&offset=3`)).articles).toEqual([]);
  });

  it('returns 20 articles when no limit is given', async () => {
    const author = await registerUser(t.app);
    for (let i = 0; i < 21; i++) await createArticle(t.app, author);
    const page = await list(`author=${author.username}`);
    expect(page.articles).toHaveLength(20);
    expect(page.articlesCount).toBe(21);
  });

  it.each([
    ['limit', '0', 'must be greater than or equal to 1'],
    ['limit', '101', 'must be less than or equal to 100'],
    ['limit', '-1', 'must be greater than or equal to 1'],
    ['limit', 'abc', 'must be integer'],
    ['offset', '-1', 'must be greater than or equal to 0'],
    ['offset', '10001', 'must be less than or equal to 10000'],
  ])('returns 422 when %s is %s', async (name, value, message) => {
    await expectRefused(
      t,
      { method: 'GET', url: `/api/v1/articles?${name}=${value}` },
      422,
      'validation_failed',
      { [name]: [message] },
    );
  });

  it('filters by tag', async () => {
    const tag = unique('tag');
    const author = await registerUser(t.app);
    const tagged = await createArticle(t.app, author, { tagList: [tag, 'other'] });
    await createArticle(t.app, author, { tagList: ['other'] });
    const page = await list(`tag=${tag}`);
    expect(slugsOf(page)).toEqual([tagged.slug]);
    expect(page.articlesCount).toBe(1);
  });

  it('filters by favoriting user', async () => {
    const fan = await registerUser(t.app);
    const { slugs } = await authorWithThree();
    await inject('POST', `/api/v1/articles/${slugs[0] ?? ''}/favorite`, fan);
    await inject('POST', `/api/v1/articles/${slugs[2] ?? ''}/favorite`, fan);
    const page = await list(`favorited=${fan.username}`);
    expect(slugsOf(page)).toEqual([slugs[2], slugs[0]]);
    expect(page.articlesCount).toBe(2);
  });

  it('combines filters', async () => {
    const tag = unique('tag');
    const fan = await registerUser(t.app);
    const { author, slugs } = await authorWithThree();
    const other = await registerUser(t.app);
    const match = await createArticle(t.app, author, { tagList: [tag] });
    const byOther = await createArticle(t.app, other, { tagList: [tag] });
    for (const slug of [match.slug, byOther.slug, slugs[0] ?? '']) {
      await inject('POST', `/api/v1/articles/${slug}/favorite`, fan);
    }
    expect(slugsOf(await list(`author=${author.username}&tag=${tag}`))).toEqual([match.slug]);
    const all = await list(`author=${author.username}&tag=${tag}&favorited=${fan.username}`);
    expect(slugsOf(all)).toEqual([match.slug]);
    expect(all.articlesCount).toBe(1);
    expect(slugsOf(await list(`tag=${tag}&favorited=${fan.username}`))).toEqual([
      byOther.slug,
      match.slug,
    ]);
  });

  it.each([
    ['an unknown author', 'author=nobody_here'],
    ['an author name no user can have', 'author=no%20such%20user'],
    ['an unknown tag', 'tag=no-such-tag'],
    ['an unknown favoriting user', 'favorited=nobody_here'],
  ])('returns an empty list for %s', async (_case, query) => {
    await createArticle(t.app, await registerUser(t.app));
    expect(await list(query)).toEqual({ articles: [], articlesCount: 0 });
  });

  it('shows the viewer whether they favorited each article and follow its author', async () => {
    const viewer = await registerUser(t.app);
    const { author, slugs } = await authorWithThree();
    await inject('POST', `/api/v1/profiles/${author.username}/follow`, viewer);
    await inject('POST', `/api/v1/articles/${slugs[1] ?? ''}/favorite`, viewer);
    const seen = await list(`author=${author.username}`, viewer.headers);
    expect(seen.articles.map((a) => a.favorited)).toEqual([false, true, false]);
    expect(seen.articles.map((a) => a.favoritesCount)).toEqual([0, 1, 0]);
    for (const article of seen.articles) expect(article.author).toMatchObject({ following: true });
    const anonymous = await list(`author=${author.username}`);
    expect(anonymous.articles.map((a) => a.favorited)).toEqual([false, false, false]);
    for (const article of anonymous.articles) {
      expect(article.author).toMatchObject({ following: false });
    }
  });

  it('returns the same list under the legacy /api prefix', async () => {
    const { author } = await authorWithThree();
    const query = `author=${author.username}`;
    expect(await list(query, undefined, '/api')).toEqual(await list(query));
  });
});

describe('GET /api/v1/articles/feed', () => {
  it('returns 401 without a token', async () => {
    await expectRefused(t, { method: 'GET', url: '/api/v1/articles/feed' }, 401, 'token_missing', {
      token: ['is missing'],
    });
  });

  it('is empty for a user who follows nobody', async () => {
    await authorWithThree();
    const reader = await registerUser(t.app);
    expect(await feed(reader.headers)).toEqual({ articles: [], articlesCount: 0 });
  });

  it('lists only articles of followed authors, newest first', async () => {
    const reader = await registerUser(t.app);
    const first = await registerUser(t.app);
    const second = await registerUser(t.app);
    const stranger = await registerUser(t.app);
    const a1 = await createArticle(t.app, first);
    const s1 = await createArticle(t.app, stranger);
    const b1 = await createArticle(t.app, second);
    const a2 = await createArticle(t.app, first);
    await inject('POST', `/api/v1/profiles/${first.username}/follow`, reader);
    await inject('POST', `/api/v1/profiles/${second.username}/follow`, reader);

    const page = await feed(reader.headers);

    expect(slugsOf(page)).toEqual([a2.slug, b1.slug, a1.slug]);
    expect(slugsOf(page)).not.toContain(s1.slug);
    expect(page.articlesCount).toBe(3);
    for (const article of page.articles) {
      expect(article).not.toHaveProperty('body');
      expect(article.author).toMatchObject({ following: true });
    }
    const secondPage = await feed(reader.headers, 'limit=1&offset=1');
    expect(slugsOf(secondPage)).toEqual([b1.slug]);
    expect(secondPage.articlesCount).toBe(3);
  });

  it("drops an author's articles once they are unfollowed", async () => {
    const reader = await registerUser(t.app);
    const kept = await registerUser(t.app);
    const dropped = await registerUser(t.app);
    const keptArticle = await createArticle(t.app, kept);
    await createArticle(t.app, dropped);
    await inject('POST', `/api/v1/profiles/${kept.username}/follow`, reader);
    await inject('POST', `/api/v1/profiles/${dropped.username}/follow`, reader);
    expect((await feed(reader.headers)).articlesCount).toBe(2);

    await inject('DELETE', `/api/v1/profiles/${dropped.username}/follow`, reader);

    const page = await feed(reader.headers);
    expect(slugsOf(page)).toEqual([keptArticle.slug]);
    expect(page.articlesCount).toBe(1);
  });

  it('returns 422 for an out-of-range limit', async () => {
    const reader = await registerUser(t.app);
    await expectRefused(
      t,
      { method: 'GET', url: '/api/v1/articles/feed?limit=101', headers: reader.headers },
      422,
      'validation_failed',
      { limit: ['must be less than or equal to 100'] },
    );
  });
});
