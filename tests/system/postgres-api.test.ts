import { eq, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildStandings } from '../../src/infrastructure/db/audit/standing-projection.js';
import { createSystemAdministration } from '../../src/infrastructure/db/identity/system-administration.js';
import { articlesTable, articleTotalsTable } from '../../src/infrastructure/db/schema/articles.js';
import { idempotencyKeysTable } from '../../src/infrastructure/db/schema/idempotency.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { followsTable } from '../../src/infrastructure/db/schema/profiles.js';
import { rowCounts } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';
import { createSystemApp, type SystemApp } from './postgres.js';

const ISO_WITH_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface ArticleList {
  readonly articles: Record<string, unknown>[];
  readonly articlesCount: number;
}

const CHECK_VIOLATION = '23514';
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

describe.runIf(process.env.TEST_DATABASE_URL !== undefined)('Keel on a PostgreSQL server', () => {
  let t: SystemApp;
  beforeAll(async () => {
    t = await createSystemApp();
  });
  afterAll(() => t.close());

  async function insertUser(
    username = unique(),
    email = `${unique()}@example.com`,
  ): Promise<number> {
    const [row] = await t.db
      .insert(usersTable)
      .values({ username, email, passwordHash: 'not-a-hash' })
      .returning({ id: usersTable.id });
    if (row === undefined) throw new Error('no user inserted');
    return row.id;
  }

  async function insertArticle(slug = unique('slug').replace('_', '-')): Promise<number> {
    const [row] = await t.db
      .insert(articlesTable)
      .values({ slug, title: 'T', description: 'D', body: 'B', authorId: await insertUser() })
      .returning({ id: articlesTable.id });
    if (row === undefined) throw new Error('no article inserted');
    return row.id;
  }

  async function get<T>(url: string, user?: RegisteredUser): Promise<T> {
    const response = await t.app.inject({ method: 'GET', url, headers: user?.headers ?? {} });
    expect(response.statusCode).toBe(200);
    return response.json<T>();
  }

  describe('the migrated schema', () => {
    it("has exactly the Conduit tables and Keel's own", async () => {
      const rows = await t.db
        .select({ name: sql<string>`table_name` })
        .from(sql`information_schema.tables`)
        .where(sql`table_schema = 'public'`)
        .orderBy(sql`table_name`);
      expect(rows.map((row) => row.name)).toEqual([
        'article_tags',
        'article_totals',
        'articles',
        'audit_chain_head',
        'audit_events',
        'comments',
        'dead_letters',
        'event_deliveries',
        'favorites',
        'feed_totals',
        'follows',
        'idempotency_keys',
        'notification_sends',
        'outbox_events',
        'tags',
        'users',
      ]);
    });

    it.each([
      {
        constraint: 'users_email_lower_check',
        code: CHECK_VIOLATION,
        write: () =>
          t.db.insert(usersTable).values({
            username: unique(),
            email: `${unique('Upper')}@Example.com`,
            passwordHash: 'h',
          }),
      },
      {
        constraint: 'users_username_not_blank_check',
        code: CHECK_VIOLATION,
        write: () =>
          t.db
            .insert(usersTable)
            .values({ username: '   ', email: `${unique()}@example.com`, passwordHash: 'h' }),
      },
      {
        constraint: 'users_username_lower_key',
        code: UNIQUE_VIOLATION,
        write: async () => {
          const username = unique();
          await insertUser(username);
          await insertUser(username.toUpperCase());
        },
      },
      {
        constraint: 'users_email_key',
        code: UNIQUE_VIOLATION,
        write: async () => {
          const email = `${unique()}@example.com`;
          await insertUser(unique(), email);
          await insertUser(unique(), email);
        },
      },
      {
        constraint: 'follows_not_self_check',
        code: CHECK_VIOLATION,
        write: async () => {
          const id = await insertUser();
          await t.db.insert(followsTable).values({ followerId: id, followeeId: id });
        },
      },
      {
        constraint: 'articles_slug_key',
        code: UNIQUE_VIOLATION,
        write: async () => {
          const slug = unique('slug').replace('_', '-');
          await insertArticle(slug);
          await insertArticle(slug);
        },
      },
      {
        constraint: 'articles_favorites_count_check',
        code: CHECK_VIOLATION,
        write: async () => {
          const id = await insertArticle();
          await t.db
            .update(articlesTable)
            .set({ favoritesCount: -1 })
            .where(eq(articlesTable.id, id));
        },
      },
      {
        constraint: 'users_favorites_count_check',
        code: CHECK_VIOLATION,
        write: () =>
          t.db.insert(usersTable).values({
            username: unique(),
            email: `${unique()}@example.com`,
            passwordHash: 'h',
            favoritesCount: -1,
          }),
      },
      {
        constraint: 'article_totals_articles_check',
        code: CHECK_VIOLATION,
        write: () => t.db.update(articleTotalsTable).set({ articles: -1 }),
      },
      {
        constraint: 'idempotency_keys_answer_check',
        code: CHECK_VIOLATION,
        write: () =>
          t.db
            .insert(idempotencyKeysTable)
            .values({ scope: 'user:1', key: unique(), fingerprint: 'f', status: 201 }),
      },
      {
        constraint: 'comments_body_length_check',
        code: CHECK_VIOLATION,
        write: async () => {
          const articleId = await insertArticle();
          await t.db
            .insert(commentsTable)
            .values({ articleId, authorId: await insertUser(), body: ' ' });
        },
      },
      {
        constraint: 'comments_article_id_articles_id_fk',
        code: FOREIGN_KEY_VIOLATION,
        write: async () => {
          await t.db
            .insert(commentsTable)
            .values({ articleId: 2_000_000_000, authorId: await insertUser(), body: 'b' });
        },
      },
    ])('rejects a direct write that breaks $constraint', async ({ constraint, code, write }) => {
      await expect(write()).rejects.toMatchObject({ cause: { code, constraint } });
    });
  });

  describe('the Conduit API', () => {
    it('serves a whole flow: register, publish, list, feed, comment and delete', async () => {
      const before = await rowCounts(t.db);
      const alice = await registerUser(t.app);
      const bob = await registerUser(t.app);

      const login = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users/login',
        payload: { user: { email: alice.email.toUpperCase(), password: alice.password } },
      });
      expect(login.statusCode).toBe(200);
      expect(login.json().user).toMatchObject({ username: alice.username, email: alice.email });

      const [tag, other] = [unique('tag'), unique('tag')];
      const title = unique('How To Train');
      const article = await createArticle(t.app, alice, {
        title,
        body: 'Body',
        tagList: [other, tag, ` ${other} `],
      });
      expect(article).toMatchObject({
        slug: title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        title,
        body: 'Body',
        tagList: [tag, other].sort(),
        favorited: false,
        favoritesCount: 0,
        author: { username: alice.username, bio: null, image: null, following: false },
      });
      const { slug } = article;

      const follow = await t.app.inject({
        method: 'POST',
        url: `/api/v1/profiles/${alice.username}/follow`,
        headers: bob.headers,
      });
      expect(follow.statusCode).toBe(200);
      expect(follow.json().profile).toMatchObject({ username: alice.username, following: true });
      const favorite = await t.app.inject({
        method: 'POST',
        url: `/api/v1/articles/${slug}/favorite`,
        headers: bob.headers,
      });
      expect(favorite.statusCode).toBe(200);
      expect(favorite.json().article).toMatchObject({ favorited: true, favoritesCount: 1 });

      const byTag = await get<ArticleList>(`/api/v1/articles?tag=${tag}`);
      expect(byTag.articlesCount).toBe(1);
      expect(byTag.articles[0]).toMatchObject({ slug, favorited: false, favoritesCount: 1 });
      expect(byTag.articles[0]).not.toHaveProperty('body');
      const byAuthor = await get<ArticleList>(`/api/v1/articles?author=${alice.username}`);
      expect(byAuthor.articles.map((a) => a.slug)).toEqual([slug]);
      const favorited = await get<ArticleList>(`/api/v1/articles?favorited=${bob.username}`, bob);
      expect(favorited).toMatchObject({
        articles: [{ slug, favorited: true, author: { following: true } }],
        articlesCount: 1,
      });
      expect(await get<ArticleList>('/api/v1/articles/feed', bob)).toMatchObject({
        articles: [{ slug }],
        articlesCount: 1,
      });
      expect(await get<ArticleList>('/api/v1/articles/feed', alice)).toEqual({
        articles: [],
        articlesCount: 0,
      });
      expect((await get<{ tags: string[] }>('/api/v1/tags')).tags).toContain(tag);

      const comment = await t.app.inject({
        method: 'POST',
        url: `/api/v1/articles/${slug}/comments`,
        headers: bob.headers,
        payload: { comment: { body: ' Great read ' } },
      });
      expect(comment.statusCode).toBe(201);
      expect(comment.json().comment).toMatchObject({
        body: 'Great read',
        author: { username: bob.username, following: false },
      });
      expect(
        (await get<{ comments: unknown[] }>(`/api/v1/articles/${slug}/comments`, alice)).comments,
      ).toEqual([comment.json().comment]);
      expect(await rowCounts(t.db)).toEqual({
        ...before,
        users: (before.users ?? 0) + 2,
        follows: (before.follows ?? 0) + 1,
        feedTotals: (before.feedTotals ?? 0) + 1,
        articles: (before.articles ?? 0) + 1,
        articleTags: (before.articleTags ?? 0) + 2,
        favorites: (before.favorites ?? 0) + 1,
        comments: (before.comments ?? 0) + 1,
        tags: (before.tags ?? 0) + 2,
        // registered ×2, followed, published, favorited, commented; the publish owes the
        // followers' notification.
        outboxEvents: (before.outboxEvents ?? 0) + 6,
        eventDeliveries: (before.eventDeliveries ?? 0) + 1,
      });

      const forbidden = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/articles/${slug}`,
        headers: bob.headers,
      });
      expect(forbidden.statusCode).toBe(403);
      const deleted = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/articles/${slug}`,
        headers: alice.headers,
      });
      expect(deleted.statusCode).toBe(204);
      const gone = await t.app.inject({ method: 'GET', url: `/api/v1/articles/${slug}` });
      expect(gone.statusCode).toBe(404);
      expect(gone.json()).toMatchObject({ errors: { article: ['not found'] } });
      expect((await get<{ tags: string[] }>('/api/v1/tags')).tags).not.toContain(tag);
      // Tags outlive their articles; they just stop being listed. The events stay (the delete's
      // too) with the publish's delivery still owed.
      expect(await rowCounts(t.db)).toEqual({
        ...before,
        users: (before.users ?? 0) + 2,
        follows: (before.follows ?? 0) + 1,
        feedTotals: (before.feedTotals ?? 0) + 1,
        tags: (before.tags ?? 0) + 2,
        outboxEvents: (before.outboxEvents ?? 0) + 7,
        eventDeliveries: (before.eventDeliveries ?? 0) + 1,
      });
    });

    it('returns timestamps with milliseconds, exactly as stored', async () => {
      const author = await registerUser(t.app);
      const article = await createArticle(t.app, author);
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/v1/articles/${article.slug}/comments`,
        headers: author.headers,
        payload: { comment: { body: 'Timed' } },
      });
      expect(response.statusCode).toBe(201);
      const { comment } = response.json();

      const utcWithMs = (column: AnyPgColumn) =>
        sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
      const [stored] = await t.db
        .select({
          articleCreatedAt: utcWithMs(articlesTable.createdAt),
          articleUpdatedAt: utcWithMs(articlesTable.updatedAt),
          commentCreatedAt: utcWithMs(commentsTable.createdAt),
          commentUpdatedAt: utcWithMs(commentsTable.updatedAt),
        })
        .from(commentsTable)
        .innerJoin(articlesTable, eq(articlesTable.id, commentsTable.articleId))
        .where(eq(commentsTable.id, comment.id));

      for (const value of [
        article.createdAt,
        article.updatedAt,
        comment.createdAt,
        comment.updatedAt,
      ]) {
        expect(value).toMatch(ISO_WITH_MS);
      }
      expect(stored).toEqual({
        articleCreatedAt: article.createdAt,
        articleUpdatedAt: article.updatedAt,
        commentCreatedAt: comment.createdAt,
        commentUpdatedAt: comment.updatedAt,
      });
    });
  });

  it('rebuilds role and status from the audit stream: the rows changed behind it put back', async () => {
    const administration = createSystemAdministration(t.db, []);
    const [moderator, suspended] = await Promise.all([registerUser(t.app), registerUser(t.app)]);
    await administration.changeRole('system', moderator.username, {
      role: 'moderator',
      reason: 'r',
    });
    await administration.changeStatus('system', suspended.username, {
      status: 'suspended',
      reason: 'r',
    });
    expect(await rebuildStandings(t.db)).toEqual([]);
    await t.db
      .update(usersTable)
      .set({ role: 'admin', status: 'active' })
      .where(inArray(usersTable.username, [moderator.username, suspended.username]));
    const corrected = await rebuildStandings(t.db);
    expect(corrected.map(({ username, role, status }) => ({ username, role, status }))).toEqual(
      expect.arrayContaining([
        { username: moderator.username, role: 'moderator', status: 'active' },
        { username: suspended.username, role: 'user', status: 'suspended' },
      ]),
    );
    expect(corrected).toHaveLength(2);
  });
});
