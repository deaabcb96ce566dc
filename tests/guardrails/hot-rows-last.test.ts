import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

/**
 * Shared counters last: a row lock is held from the write until the commit, and the counters
 * (an author's article count, every follower's feed total, the global total's shard, a tag's
 * count) are rows most publishes and retags write. Every other statement of the write comes
 * before them, so a transaction queued on one of those rows waits for the commit alone
 * (docs/performance.md, "Publishes queued on the feed totals").
 */

let t: TestApp;
let statements: string[] = [];
let author: RegisteredUser;

/** Each counter's UPDATE, in the lock order every write keeps (article-repository.ts). */
const COUNTERS = {
  'author count': /^update "users" set "articles_count"/,
  'feed totals': /^update "feed_totals"/,
  'total shard': /^update "article_totals"/,
  'tag counts': /^update "tags" set "articles_count"/,
} as const;
type Counter = keyof typeof COUNTERS;

/** The counter `statement` updates, if it updates one. */
function counterOf(statement: string): Counter | undefined {
  return (Object.keys(COUNTERS) as Counter[]).find((name) => COUNTERS[name].test(statement));
}

/** The writes one request ran, in order (Drizzle's logger sees no BEGIN or COMMIT). */
async function writesOf(request: () => Promise<unknown>): Promise<string[]> {
  statements = [];
  await request();
  return statements.filter((statement) => /^(insert|update|delete) /.test(statement));
}

/** Requires `writes` to end with the counters `expected`, and to have no counter before them. */
function expectCountersLast(writes: string[], expected: readonly Counter[]): void {
  const first = writes.findIndex((statement) => counterOf(statement) !== undefined);
  expect(first, 'writes before the counters').toBeGreaterThan(0);
  expect(writes.slice(first).map((statement) => counterOf(statement) ?? statement)).toEqual(
    expected,
  );
}

beforeAll(async () => {
  t = await createTestApp(undefined, {
    logQuery: (query) => {
      statements.push(query);
    },
  });
  const follower = await registerUser(t.app);
  author = await registerUser(t.app);
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/profiles/${author.username}/follow`,
    headers: follower.headers,
  });
});
afterAll(() => t.close());

describe('writes update the shared counters last, just before their commit', () => {
  it('a publish', async () => {
    const writes = await writesOf(() =>
      createArticle(t.app, author, { tagList: [unique('a'), unique('b')] }),
    );
    expectCountersLast(writes, ['author count', 'feed totals', 'total shard', 'tag counts']);
  });

  it('an edit that changes the tags', async () => {
    const article = await createArticle(t.app, author, { tagList: [unique('old')] });
    const writes = await writesOf(() =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/articles/${article.slug}`,
        headers: author.headers,
        payload: { article: { tagList: [unique('new')] } },
      }),
    );
    expectCountersLast(writes, ['tag counts']);
  });
});
