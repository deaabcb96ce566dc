import { describe, expect, it, vi } from 'vitest';
import type { ArticleCard, ArticleList } from '../../src/domain/articles/article.js';
import type { AccountAccess, AccountRepository } from '../../src/domain/identity/ports.js';
import type { TokenVersion } from '../../src/domain/identity/token-version.js';
import type { ArticleId, UserId } from '../../src/domain/shared/ids.js';
import { slugify, type Slug } from '../../src/domain/shared/slug.js';
import { parseUsername } from '../../src/domain/shared/username.js';
import {
  cachedAccountRepository,
  cachedArticleQueries,
} from '../../src/infrastructure/cache/cached-queries.js';
import { createReadCaches } from '../../src/infrastructure/cache/read-caches.js';
import type {
  ArticleReads,
  RefPage,
} from '../../src/infrastructure/db/articles/article-queries.js';

/**
 * The list path of `cachedArticleQueries`, and the token standings of `cachedAccountRepository`,
 * on reads the test answers itself: the races and modes a database behind it would not line up on
 * demand. tests/integration/cache.test.ts reads the same paths through the API on a real database.
 */

const card = (slug: Slug): ArticleCard => ({
  slug,
  title: slug,
  description: 'd',
  tagList: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
  favorited: false,
  favoritesCount: 0,
  author: { username: parseUsername('alice'), bio: null, image: null, following: false },
});

const [kept, deleted] = [slugify('kept'), slugify('deleted')];
const KEPT_ID = 1 as ArticleId;
const WHOLE: ArticleList = { articles: [card(kept)], articlesCount: 7 };
const PAGE: RefPage = {
  refs: [
    { id: KEPT_ID, slug: kept, favorited: true, following: false },
    { id: 2 as ArticleId, slug: deleted, favorited: false, following: false },
  ],
  articlesCount: 2,
};

/**
 * Reads that find `kept` only, as article `keptId` (`deleted` went between its page and its
 * card), and its spies.
 */
function reads(keptId = KEPT_ID) {
  const unused = (): never => {
    throw new Error('not read by these tests');
  };
  const spies = {
    listRefs: vi.fn(() => Promise.resolve(PAGE)),
    cards: vi.fn((slugs: readonly string[]) =>
      Promise.resolve(
        new Map(
          slugs
            .filter((slug) => slug === kept)
            .map((slug) => [slug, { id: keptId, card: card(kept) }]),
        ),
      ),
    ),
  };
  const port: ArticleReads = {
    findBySlug: unused,
    tags: unused,
    list: () => Promise.resolve(WHOLE),
    feed: () => Promise.resolve(WHOLE),
    feedRefs: () => Promise.resolve(PAGE),
    ...spies,
  };
  return { port, ...spies };
}

const FIRST_PAGE = { limit: 20, offset: 0 };
const READER = 1 as UserId;

describe('lists with cached cards', () => {
  it('leave out an article deleted after its page was read, keeping the total read with the page', async () => {
    const caches = createReadCaches(() => undefined);
    caches.resume();
    const queries = cachedArticleQueries(reads().port, reads().port, caches);
    const list = await queries.list({}, FIRST_PAGE, undefined);
    expect(list.articlesCount).toBe(2);
    expect(list.articles).toEqual([{ ...card(kept), favorited: true }]);
  });

  it("never change the cached card when a reader's flags are put on it", async () => {
    const caches = createReadCaches(() => undefined);
    caches.resume();
    const queries = cachedArticleQueries(reads().port, reads().port, caches);
    await queries.feed(READER, FIRST_PAGE);
    const [cached] = await caches.cards.getMany([kept], () => Promise.resolve(new Map()));
    expect(cached).toEqual({ id: KEPT_ID, card: card(kept) });
  });

  it('read the page whole, in one statement, while caching is off', async () => {
    const replica = reads();
    const primary = reads();
    const queries = cachedArticleQueries(
      replica.port,
      primary.port,
      createReadCaches(() => undefined),
    );
    expect(await queries.list({}, FIRST_PAGE, undefined)).toBe(WHOLE);
    expect(await queries.feed(READER, FIRST_PAGE)).toBe(WHOLE);
    expect(replica.listRefs).not.toHaveBeenCalled();
    expect(primary.cards).not.toHaveBeenCalled();
  });

  it('read the references from the given reads and the missing cards from the primary', async () => {
    const replica = reads();
    const primary = reads();
    const caches = createReadCaches(() => undefined);
    caches.resume();
    await cachedArticleQueries(replica.port, primary.port, caches).list({}, FIRST_PAGE, undefined);
    expect(replica.listRefs).toHaveBeenCalledOnce();
    expect(replica.cards).not.toHaveBeenCalled();
    expect(primary.cards).toHaveBeenCalledExactlyOnceWith([kept, deleted]);
  });

  it('read again a card kept under the slug of a deleted article that a new one took', async () => {
    const caches = createReadCaches(() => undefined);
    caches.resume();
    // The deleted article's card is cached under the slug, whose invalidation has not come.
    await cachedArticleQueries(reads(9 as ArticleId).port, reads(9 as ArticleId).port, caches).list(
      {},
      FIRST_PAGE,
      undefined,
    );
    const primary = reads();
    const list = await cachedArticleQueries(reads().port, primary.port, caches).list(
      {},
      FIRST_PAGE,
      undefined,
    );
    expect(list.articles).toEqual([{ ...card(kept), favorited: true }]);
    expect(primary.cards).toHaveBeenLastCalledWith([kept]);
  });

  it("leave out a card the primary finds under the slug for another article than the page's", async () => {
    const caches = createReadCaches(() => undefined);
    caches.resume();
    const other = reads(9 as ArticleId);
    const list = await cachedArticleQueries(reads().port, other.port, caches).list(
      {},
      FIRST_PAGE,
      undefined,
    );
    expect(list.articles).toEqual([]);
    expect(list.articlesCount).toBe(2);
  });
});

describe("a token's cached standing", () => {
  const standing = (tokenVersion: number): AccountAccess => ({
    role: 'user',
    status: 'active',
    tokenVersion: tokenVersion as TokenVersion,
    keptTokenId: null,
  });

  /**
   * `cachedAccountRepository` over accounts whose standing is `current()` as stored, its caches
   * resumed unless `paused`, and the spy of its lookups.
   */
  function cachedOver(current: () => AccountAccess | undefined, paused = false) {
    const findAccess = vi.fn(() => Promise.resolve(current()));
    const unused = (): never => {
      throw new Error('not read by these tests');
    };
    const repository: AccountRepository = {
      findById: unused,
      findAccess,
      findRecentAccess: unused,
      findCredentialsByEmail: unused,
      insert: unused,
      update: unused,
      findIdByUsername: unused,
      lockForAdministration: unused,
      changeStanding: unused,
    };
    const caches = createReadCaches(() => undefined);
    if (!paused) caches.resume();
    return { cached: cachedAccountRepository(repository, caches), caches, findAccess };
  }

  it('is read once for a read, and again after its account is invalidated', async () => {
    let stored = standing(0);
    const { cached, caches, findAccess } = cachedOver(() => stored);
    expect(await cached.findRecentAccess(READER, 0 as TokenVersion)).toEqual(standing(0));
    stored = standing(1);
    expect(await cached.findRecentAccess(READER, 0 as TokenVersion)).toEqual(standing(0));
    expect(findAccess).toHaveBeenCalledTimes(1);
    caches.apply({ accounts: [String(READER)] });
    expect(await cached.findRecentAccess(READER, 0 as TokenVersion)).toEqual(standing(1));
    expect(findAccess).toHaveBeenCalledTimes(2);
  });

  it('is never what a change is checked against, nor kept while caching is off', async () => {
    const { cached, caches, findAccess } = cachedOver(() => standing(0), true);
    await cached.findRecentAccess(READER, 0 as TokenVersion);
    await cached.findRecentAccess(READER, 0 as TokenVersion);
    caches.resume();
    await cached.findAccess(READER);
    await cached.findAccess(READER);
    expect(findAccess).toHaveBeenCalledTimes(4);
  });

  it('is read again for a token newer than it, which proves it out of date', async () => {
    let stored = standing(0);
    const { cached, findAccess } = cachedOver(() => stored);
    await cached.findRecentAccess(READER, 0 as TokenVersion);
    // Revoked and signed in again elsewhere, the invalidation lost: a token of version 1.
    stored = standing(1);
    expect(await cached.findRecentAccess(READER, 0 as TokenVersion)).toEqual(standing(0));
    expect(await cached.findRecentAccess(READER, 1 as TokenVersion)).toEqual(standing(1));
    expect(await cached.findRecentAccess(READER, 0 as TokenVersion)).toEqual(standing(1));
    expect(findAccess).toHaveBeenCalledTimes(2);
  });

  it('keeps no account that is not found', async () => {
    const { cached, findAccess } = cachedOver(() => undefined);
    expect(await cached.findRecentAccess(READER, 0 as TokenVersion)).toBeUndefined();
    expect(await cached.findRecentAccess(READER, 0 as TokenVersion)).toBeUndefined();
    expect(findAccess).toHaveBeenCalledTimes(2);
  });
});
