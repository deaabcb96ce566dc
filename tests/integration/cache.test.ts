import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleService } from '../../src/domain/articles/article-service.js';
import type { ArticleView } from '../../src/domain/articles/article.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import { invalidatingArticleService } from '../../src/infrastructure/cache/invalidating-services.js';
import type { Invalidation } from '../../src/infrastructure/cache/read-caches.js';
import { articlesTable } from '../../src/infrastructure/db/schema/articles.js';
import { inUnitOfWork } from '../../src/infrastructure/db/unit-of-work.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

/**
 * The read cache of spec.md §5 in embedded mode (one process, the only writer): anonymous reads
 * of an article, a profile and the tags are served from memory, and every write of the table
 * "What invalidates what" makes the next anonymous read fresh.
 */

let statements = 0;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp(undefined, {
    logQuery: () => {
      statements++;
    },
  });
});
afterAll(() => t.close());

/** An anonymous (or `user`'s) GET: its status, body and the SQL statements it ran. */
async function read(
  url: string,
  user?: RegisteredUser,
): Promise<{ status: number; body: Record<string, unknown>; statements: number }> {
  statements = 0;
  const response = await t.app.inject({
    method: 'GET',
    url,
    ...(user !== undefined && { headers: user.headers }),
  });
  return { status: response.statusCode, body: response.json(), statements };
}

/** `cache_requests_total{cache,result}` as /metrics shows it. */
async function cacheRequests(cache: string, result: string): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = new RegExp(
    `^cache_requests_total\\{cache="${cache}",result="${result}"\\} (\\d+)$`,
    'm',
  );
  return Number(line.exec(text)?.[1] ?? 0);
}

function write(
  user: RegisteredUser,
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: object,
): Promise<number> {
  return t.app
    .inject({ method, url, headers: user.headers, ...(payload && { payload }) })
    .then((response) => response.statusCode);
}

describe('anonymous reads served from the cache', () => {
  it('serves an article by slug from memory after the first read', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const hits = await cacheRequests('article', 'hit');
    const first = await read(`/api/v1/articles/${slug}`);
    const second = await read(`/api/v1/articles/${slug}`);
    expect(first.statements).toBe(1);
    expect(second).toEqual({ ...first, statements: 0 });
    expect(await cacheRequests('article', 'hit')).toBe(hits + 1);
    // The legacy prefix is the same read, so the same entry.
    expect((await read(`/api/articles/${slug}`)).statements).toBe(0);
  });

  it('serves a profile from memory after the first read', async () => {
    const user = await registerUser(t.app);
    const first = await read(`/api/v1/profiles/${user.username}`);
    const second = await read(`/api/v1/profiles/${user.username}`);
    expect(first.statements).toBe(1);
    expect(second).toEqual({ ...first, statements: 0 });
  });

  it('serves the tag list from memory after the first read', async () => {
    await read('/api/v1/tags');
    const hits = await cacheRequests('tags', 'hit');
    const cached = await read('/api/v1/tags');
    expect(cached.statements).toBe(0);
    expect(await cacheRequests('tags', 'hit')).toBe(hits + 1);
  });

  it('never caches "not found": an article published after a 404 is found at once', async () => {
    const author = await registerUser(t.app);
    const title = unique('Later');
    const slug = title.toLowerCase().replace('_', '-');
    expect((await read(`/api/v1/articles/${slug}`)).status).toBe(404);
    expect((await read(`/api/v1/profiles/${author.username}x`)).status).toBe(404);
    expect((await createArticle(t.app, author, { title })).slug).toBe(slug);
    expect((await read(`/api/v1/articles/${slug}`)).status).toBe(200);
  });

  it('never serves an authenticated read from the cache, so viewer flags stay exact', async () => {
    const [author, reader] = [await registerUser(t.app), await registerUser(t.app)];
    const { slug } = await createArticle(t.app, author);
    await read(`/api/v1/articles/${slug}`);
    await read(`/api/v1/profiles/${author.username}`);
    const counts = [await cacheRequests('article', 'hit'), await cacheRequests('article', 'miss')];
    expect(await write(reader, 'POST', `/api/v1/profiles/${author.username}/follow`)).toBe(200);
    expect(await write(reader, 'POST', `/api/v1/articles/${slug}/favorite`)).toBe(200);

    const article = await read(`/api/v1/articles/${slug}`, reader);
    const profile = await read(`/api/v1/profiles/${author.username}`, reader);
    // The token's standing, then cached, and the read itself: both times from the database.
    expect(article.statements).toBe(2);
    expect(profile.statements).toBe(1);
    expect(article.body.article).toMatchObject({ favorited: true, author: { following: true } });
    expect(profile.body.profile).toMatchObject({ following: true });
    expect([await cacheRequests('article', 'hit'), await cacheRequests('article', 'miss')]).toEqual(
      counts,
    );
    // Anonymous readers still see no viewer flags.
    expect((await read(`/api/v1/profiles/${author.username}`)).body.profile).toMatchObject({
      following: false,
    });
  });

  it('adds the cache series to /metrics, and no cache_subscribed gauge without Redis', async () => {
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('# TYPE cache_requests_total counter');
    expect(text).toContain('# TYPE cache_invalidations_total counter');
    expect(text).not.toContain('cache_subscribed');
  });
});

describe("the lists' cards served from the cache", () => {
  let author: RegisteredUser;
  let reader: RegisteredUser;
  let tag: string;
  let slugs: string[];
  beforeAll(async () => {
    [author, reader] = [await registerUser(t.app), await registerUser(t.app)];
    tag = unique('tag');
    slugs = [];
    for (let i = 0; i < 3; i++)
      slugs.push((await createArticle(t.app, author, { tagList: [tag] })).slug);
  });

  const byTag = (): string => `/api/v1/articles?tag=${tag}`;
  const cardOf = (
    body: Record<string, unknown>,
    slug: string,
  ): Record<string, unknown> | undefined =>
    (body.articles as Record<string, unknown>[]).find((card) => card.slug === slug);

  it('reads a page as references once its cards are cached, answering the same', async () => {
    const first = await read(byTag());
    const hits = await cacheRequests('card', 'hit');
    const second = await read(byTag());
    // The page's slugs with the list's total; the cards come from memory.
    expect(second).toEqual({ ...first, statements: 1 });
    expect(await cacheRequests('card', 'hit')).toBe(hits + 3);
    expect(
      (first.body.articles as unknown[]).map((card) => (card as { slug: string }).slug),
    ).toEqual([...slugs].reverse());
  });

  it("gives a reader the cached cards with the reader's own flags, and anonymous readers none", async () => {
    await read(byTag());
    const [favorite, other] = slugs as [string, string];
    expect(await write(reader, 'POST', `/api/v1/profiles/${author.username}/follow`)).toBe(200);
    expect(await write(reader, 'POST', `/api/v1/articles/${favorite}/favorite`)).toBe(200);

    // The favorite dropped its card: an anonymous read puts it back.
    await read(byTag());
    const mine = await read(byTag(), reader);
    // The token's account check, then the references with the reader's flags.
    expect(mine.statements).toBe(2);
    expect(cardOf(mine.body, favorite)).toMatchObject({
      favorited: true,
      favoritesCount: 1,
      author: { username: author.username, following: true },
    });
    expect(cardOf(mine.body, other)).toMatchObject({
      favorited: false,
      author: { following: true },
    });
    const feed = await read('/api/v1/articles/feed', reader);
    expect(cardOf(feed.body, favorite)).toMatchObject({
      favorited: true,
      author: { following: true },
    });

    const anonymous = await read(byTag());
    expect(cardOf(anonymous.body, favorite)).toMatchObject({
      favorited: false,
      favoritesCount: 1,
      author: { following: false },
    });
  });

  it('shows each write of spec.md §5 in the next page: edit, favorite, account update, delete', async () => {
    // The first was favorited once already, by the reader above.
    const [favorite, edited, removed] = slugs as [string, string, string];
    await read(byTag());
    const title = unique('Retitled');
    expect(await write(author, 'PUT', `/api/v1/articles/${edited}`, { article: { title } })).toBe(
      200,
    );
    expect(await write(author, 'POST', `/api/v1/articles/${favorite}/favorite`)).toBe(200);
    expect(cardOf((await read(byTag())).body, edited)).toMatchObject({ title });
    expect(cardOf((await read(byTag())).body, favorite)).toMatchObject({ favoritesCount: 2 });

    const bio = unique('bio');
    expect(await write(author, 'PUT', '/api/v1/user', { user: { bio } })).toBe(200);
    const page = await read(byTag());
    expect(
      (page.body.articles as { author: { bio: string } }[]).map((card) => card.author.bio),
    ).toEqual([bio, bio, bio]);

    expect(await write(author, 'DELETE', `/api/v1/articles/${removed}`)).toBe(204);
    const after = await read(byTag());
    expect(cardOf(after.body, removed)).toBeUndefined();
    expect(after.body.articlesCount).toBe(2);
  });
});

describe("a read's token checked against the cached standing", () => {
  it('reads the standing once, then from memory, for every read that needs no capability', async () => {
    const [author, reader] = [await registerUser(t.app), await registerUser(t.app)];
    const { slug } = await createArticle(t.app, author);
    const misses = await cacheRequests('account', 'miss');
    const hits = await cacheRequests('account', 'hit');
    const first = await read('/api/v1/articles/feed', reader);
    const urls = [
      '/api/v1/articles/feed',
      '/api/v1/articles?limit=1',
      `/api/v1/articles/${slug}`,
      `/api/v1/articles/${slug}/comments`,
      `/api/v1/profiles/${author.username}`,
    ];
    for (const url of urls) expect((await read(url, reader)).status).toBe(200);
    expect(await cacheRequests('account', 'miss')).toBe(misses + 1);
    expect(await cacheRequests('account', 'hit')).toBe(hits + urls.length);
    // The feed again (empty: the reader follows no one), its standing cached: its page alone.
    expect((await read('/api/v1/articles/feed', reader)).statements).toBe(first.statements - 1);
  });

  it('never for a write: it checks the account as stored', async () => {
    const [author, reader] = [await registerUser(t.app), await registerUser(t.app)];
    const { slug } = await createArticle(t.app, author);
    await read('/api/v1/articles/feed', reader);
    const counts = async (): Promise<number[]> => [
      await cacheRequests('account', 'hit'),
      await cacheRequests('account', 'miss'),
    ];
    const before = await counts();
    expect(await write(reader, 'POST', `/api/v1/articles/${slug}/favorite`)).toBe(200);
    expect(await write(reader, 'POST', `/api/v1/profiles/${author.username}/follow`)).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it('is dropped by each revocation, so the next read with a revoked token is refused', async () => {
    const user = await registerUser(t.app);
    const login = async (): Promise<RegisteredUser> => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users/login',
        payload: { user: { email: user.email, password: user.password } },
      });
      const { token } = response.json<{ user: { token: string } }>().user;
      return { ...user, token, headers: { authorization: `Token ${token}` } };
    };
    const other = await login();
    expect((await read('/api/v1/articles/feed', other)).status).toBe(200);
    expect(await write(user, 'PUT', '/api/v1/user', { user: { password: user.password } })).toBe(
      200,
    );
    expect((await read('/api/v1/articles/feed', other)).status).toBe(401);
    expect((await read('/api/v1/articles/feed', user)).status).toBe(200);
    expect(await write(user, 'POST', '/api/v1/user/logout-all')).toBe(204);
    expect((await read('/api/v1/articles/feed', user)).status).toBe(401);
  });
});

describe('every write of spec.md §5 makes the next anonymous read fresh', () => {
  let author: RegisteredUser;
  let reader: RegisteredUser;
  beforeAll(async () => {
    [author, reader] = [await registerUser(t.app), await registerUser(t.app)];
  });

  it('edit: the article, and the tag list when tagList is given', async () => {
    const first = unique('tag');
    const { slug } = await createArticle(t.app, author, { tagList: [first] });
    await read(`/api/v1/articles/${slug}`);
    await read('/api/v1/tags');

    expect(
      await write(author, 'PUT', `/api/v1/articles/${slug}`, { article: { body: 'new' } }),
    ).toBe(200);
    expect((await read(`/api/v1/articles/${slug}`)).body.article).toMatchObject({ body: 'new' });
    // No tagList: the tag list stays cached.
    expect((await read('/api/v1/tags')).statements).toBe(0);

    const second = unique('tag');
    const edit = { article: { tagList: [second] } };
    expect(await write(author, 'PUT', `/api/v1/articles/${slug}`, edit)).toBe(200);
    expect((await read(`/api/v1/articles/${slug}`)).body.article).toMatchObject({
      tagList: [second],
    });
    const tags = (await read('/api/v1/tags')).body.tags;
    expect(tags).toContain(second);
    expect(tags).not.toContain(first);
  });

  it('delete: the article and the tag list', async () => {
    const tag = unique('tag');
    const { slug } = await createArticle(t.app, author, { tagList: [tag] });
    expect((await read(`/api/v1/articles/${slug}`)).status).toBe(200);
    expect((await read('/api/v1/tags')).body.tags).toContain(tag);

    expect(await write(author, 'DELETE', `/api/v1/articles/${slug}`)).toBe(204);
    expect((await read(`/api/v1/articles/${slug}`)).status).toBe(404);
    expect((await read('/api/v1/tags')).body.tags).not.toContain(tag);
  });

  it('favorite and unfavorite: the count', async () => {
    const { slug } = await createArticle(t.app, author);
    expect((await read(`/api/v1/articles/${slug}`)).body.article).toMatchObject({
      favoritesCount: 0,
    });
    expect(await write(reader, 'POST', `/api/v1/articles/${slug}/favorite`)).toBe(200);
    expect((await read(`/api/v1/articles/${slug}`)).body.article).toMatchObject({
      favoritesCount: 1,
      favorited: false,
    });
    expect(await write(reader, 'DELETE', `/api/v1/articles/${slug}/favorite`)).toBe(200);
    expect((await read(`/api/v1/articles/${slug}`)).body.article).toMatchObject({
      favoritesCount: 0,
    });
  });

  it('publish: whatever is kept under its slug, which a delete this instance missed freed', async () => {
    const title = unique('Reused');
    const old = await createArticle(t.app, author, { title });
    await read(`/api/v1/articles/${old.slug}`);
    // The slug freed behind this instance's back, as by a delete whose message it never heard.
    await t.db
      .update(articlesTable)
      .set({ slug: `${old.slug}-gone` })
      .where(eq(articlesTable.slug, old.slug));
    const fresh = await createArticle(t.app, reader, { title });
    expect(fresh.slug).toBe(old.slug);
    expect((await read(`/api/v1/articles/${fresh.slug}`)).body.article).toMatchObject({
      author: { username: reader.username },
    });
  });

  it('publish: the tag list', async () => {
    await read('/api/v1/tags');
    const tag = unique('tag');
    await createArticle(t.app, author, { tagList: [tag] });
    expect((await read('/api/v1/tags')).body.tags).toContain(tag);
  });

  it('account update: the profile under its old and new name, and the author in every article', async () => {
    const writer = await registerUser(t.app);
    const { slug } = await createArticle(t.app, writer);
    const other = await createArticle(t.app, author);
    await read(`/api/v1/articles/${slug}`);
    await read(`/api/v1/articles/${other.slug}`);
    await read(`/api/v1/profiles/${writer.username}`);

    expect(await write(writer, 'PUT', '/api/v1/user', { user: { bio: 'Now with a bio' } })).toBe(
      200,
    );
    expect((await read(`/api/v1/profiles/${writer.username}`)).body.profile).toMatchObject({
      bio: 'Now with a bio',
    });
    expect((await read(`/api/v1/articles/${slug}`)).body.article).toMatchObject({
      author: { username: writer.username, bio: 'Now with a bio' },
    });

    const renamed = unique('renamed');
    await read(`/api/v1/profiles/${writer.username}`);
    expect(await write(writer, 'PUT', '/api/v1/user', { user: { username: renamed } })).toBe(200);
    expect((await read(`/api/v1/profiles/${writer.username}`)).status).toBe(404);
    expect((await read(`/api/v1/profiles/${renamed}`)).body.profile).toMatchObject({
      username: renamed,
      bio: 'Now with a bio',
    });
    expect((await read(`/api/v1/articles/${slug}`)).body.article).toMatchObject({
      author: { username: renamed },
    });
    // Every article was dropped, not only the writer's.
    expect((await read(`/api/v1/articles/${other.slug}`)).statements).toBe(1);
  });

  it('account update of the email or password only: nothing cached changes', async () => {
    const user = await registerUser(t.app);
    await read(`/api/v1/profiles/${user.username}`);
    const payload = { user: { email: `${unique()}@example.com`, password: 'another-password' } };
    expect(await write(user, 'PUT', '/api/v1/user', payload)).toBe(200);
    expect((await read(`/api/v1/profiles/${user.username}`)).statements).toBe(0);
  });

  it('a publish with an Idempotency-Key: the tag list, once its transaction has committed', async () => {
    await read('/api/v1/tags');
    const tag = unique('tag');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/articles',
      headers: { ...author.headers, 'idempotency-key': unique('key') },
      payload: { article: { title: unique('Keyed'), description: 'd', body: 'b', tagList: [tag] } },
    });
    expect(response.statusCode).toBe(201);
    expect((await read('/api/v1/tags')).body.tags).toContain(tag);
  });
});

describe('invalidation inside a unit of work', () => {
  const published: Invalidation[] = [];
  const article = { slug: 'a-freed-slug' } as ArticleView;
  const stub: ArticleService = {
    publish: () => Promise.resolve(article),
    edit: () => Promise.resolve(article),
    remove: () => Promise.resolve(),
    removeAsModerator: () => Promise.resolve(),
    favorite: () => Promise.resolve(article),
    unfavorite: () => Promise.resolve(article),
  };
  const service = invalidatingArticleService(stub, {
    publish: (invalidation) => {
      published.push(invalidation);
      return Promise.resolve();
    },
  });
  const someone = 1 as UserId;

  it('waits for the commit', async () => {
    published.length = 0;
    await inUnitOfWork(t.db, async () => {
      await service.remove(someone, 'some-slug');
      expect(published).toEqual([]);
    });
    expect(published).toEqual([{ articles: ['some-slug'], tags: true }]);
  });

  it("drops, on a publish, whatever is kept under the new article's slug", async () => {
    published.length = 0;
    await inUnitOfWork(t.db, () =>
      service.publish(someone, { title: 't', description: 'd', body: 'b' }),
    );
    // A slug a delete freed: an instance that missed the delete's message kept the old article.
    expect(published).toEqual([{ articles: ['a-freed-slug'], tags: true }]);
  });

  it('never happens when the unit of work rolls back', async () => {
    published.length = 0;
    await expect(
      inUnitOfWork(t.db, async () => {
        await service.remove(someone, 'some-slug');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(published).toEqual([]);
  });
});
