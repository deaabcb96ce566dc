import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { rebuildProjection } from '../../src/infrastructure/db/projections/rebuild-projection.js';
import {
  articlesTable,
  articleTotalsTable,
  tagsTable,
} from '../../src/infrastructure/db/schema/articles.js';
import { feedTotalsTable } from '../../src/infrastructure/db/schema/profiles.js';
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

const TAGS = ['alpha', 'beta', 'gamma', 'delta'];

/** One write of the API, by user `by` (an index into `users`) on article `on` (an index into those published). */
type Command =
  | { readonly kind: 'publish'; readonly by: number; readonly tags: readonly string[] }
  | { readonly kind: 'retag'; readonly on: number; readonly tags: readonly string[] }
  | { readonly kind: 'delete'; readonly on: number }
  | { readonly kind: 'favorite' | 'unfavorite'; readonly by: number; readonly on: number }
  | { readonly kind: 'follow'; readonly by: number; readonly of: number }
  | { readonly kind: 'unfollow'; readonly by: number; readonly of: number };

const user = fc.nat(2);
const article = fc.nat(20);
const tags = fc.subarray(TAGS);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('publish' as const), by: user, tags }),
  fc.record({ kind: fc.constant('retag' as const), on: article, tags }),
  fc.record({ kind: fc.constant('delete' as const), on: article }),
  fc.record({
    kind: fc.constantFrom('favorite' as const, 'unfavorite' as const),
    by: user,
    on: article,
  }),
  fc.record({ kind: fc.constant('follow' as const), by: user, of: user }),
  fc.record({ kind: fc.constant('unfollow' as const), by: user, of: user }),
);

interface Published {
  readonly slug: string;
  readonly author: RegisteredUser;
}

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

function requestFor(step: Command, published: readonly Published[]): InjectOptions | undefined {
  if (step.kind === 'publish') {
    return {
      method: 'POST',
      url: '/api/v1/articles',
      headers: userAt(step.by).headers,
      payload: { article: { title: 'Counted', description: 'd', body: 'b', tagList: step.tags } },
    };
  }
  if (step.kind === 'follow' || step.kind === 'unfollow') {
    // Following yourself is refused (422): pick the next user instead.
    const followee = userAt(step.of === step.by ? (step.by + 1) % users.length : step.of);
    return {
      method: step.kind === 'follow' ? 'POST' : 'DELETE',
      url: `/api/v1/profiles/${followee.username}/follow`,
      headers: userAt(step.by).headers,
    };
  }
  const target = published.length === 0 ? undefined : published[step.on % published.length];
  if (target === undefined) return undefined;
  switch (step.kind) {
    case 'retag':
      return {
        method: 'PUT',
        url: `/api/v1/articles/${target.slug}`,
        headers: target.author.headers,
        payload: { article: { tagList: step.tags } },
      };
    case 'delete':
      return {
        method: 'DELETE',
        url: `/api/v1/articles/${target.slug}`,
        headers: target.author.headers,
      };
    case 'favorite':
    case 'unfavorite':
      return {
        method: step.kind === 'favorite' ? 'POST' : 'DELETE',
        url: `/api/v1/articles/${target.slug}/favorite`,
        headers: userAt(step.by).headers,
      };
  }
}

describe('list counters', () => {
  it('stay equal to the rows they count after any sequence of writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 15 }), async (steps) => {
        const published: Published[] = [];
        for (const step of steps) {
          const request = requestFor(step, published);
          if (request === undefined) continue;
          const response = await t.app.inject(request);
          expect(response.statusCode).toBeLessThan(300);
          if (step.kind === 'publish') {
            published.push({
              slug: response.json<{ article: { slug: string } }>().article.slug,
              author: userAt(step.by),
            });
          }
          if (step.kind === 'delete') published.splice(step.on % published.length, 1);
        }
        expect(await driftedColumns(t.db)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

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

  it('rebuildProjection repairs every drifted copy from the rows it summarises', async () => {
    const author = userAt(1);
    const reader = userAt(2);
    const { slug } = await createArticle(t.app, author, { title: 'Repaired', tagList: ['alpha'] });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${author.username}/follow`,
      headers: reader.headers,
    });
    await t.db
      .update(articlesTable)
      .set({ tagList: ['beta'], favoritesCount: 7 })
      .where(eq(articlesTable.slug, slug));
    await t.db.update(usersTable).set({ articlesCount: 1000, favoritesCount: 3 });
    await t.db.update(tagsTable).set({ articlesCount: 42 });
    await t.db.update(articleTotalsTable).set({ articles: 5 });
    await t.db.update(feedTotalsTable).set({ articles: 9 });
    expect((await driftedColumns(t.db)).length).toBeGreaterThan(5);

    await rebuildProjection(t.db);

    expect(await driftedColumns(t.db)).toEqual([]);
    await expectFeedTotalExact(reader);
  });
});
