import { describe, expect, it, vi } from 'vitest';
import type { CacheResult } from '../../src/core/http/cache-metrics.js';
import { createReadCache, type ReadCache } from '../../src/infrastructure/cache/read-cache.js';
import {
  CACHE_TTL_MS,
  INVALIDATE_ALL,
  TAGS_KEY,
  cardSize,
  createReadCaches,
} from '../../src/infrastructure/cache/read-caches.js';
import type { ArticleCard, ArticleView } from '../../src/domain/articles/article.js';
import type { ArticleId } from '../../src/domain/shared/ids.js';
import type { AccountAccess } from '../../src/domain/identity/ports.js';
import type { TokenVersion } from '../../src/domain/identity/token-version.js';
import type { CachedCard } from '../../src/infrastructure/db/articles/article-queries.js';
import type { ProfileView } from '../../src/domain/shared/profile-view.js';
import { slugify } from '../../src/domain/shared/slug.js';
import { parseUsername } from '../../src/domain/shared/username.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

/** A load the test finishes when it chooses, to line a write up inside it. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

interface Value {
  readonly version: number;
}

/** A running cache of `Value`s on a manual clock, recording what it reports. */
function cache(options: { maxEntries?: number; maxChars?: number } = {}): {
  cache: ReadCache<Value | undefined>;
  results: CacheResult[];
  clock: ReturnType<typeof manualClock>;
} {
  const results: CacheResult[] = [];
  const clock = manualClock();
  const created = createReadCache<Value | undefined>({
    maxEntries: options.maxEntries ?? 100,
    maxChars: options.maxChars ?? 10_000,
    ttlMs: 10_000,
    onResult: (result) => results.push(result),
    now: clock.now,
  });
  created.resume();
  return { cache: created, results, clock };
}

describe('createReadCache', () => {
  it('loads on a miss, then answers from memory without loading', async () => {
    const { cache: c, results } = cache();
    const load = vi.fn(() => Promise.resolve({ version: 1 }));
    expect(await c.get('a', load)).toEqual({ version: 1 });
    expect(await c.get('a', load)).toEqual({ version: 1 });
    expect(load).toHaveBeenCalledTimes(1);
    expect(results).toEqual(['miss', 'hit']);
  });

  it('keeps each key apart', async () => {
    const { cache: c } = cache();
    await c.get('a', () => Promise.resolve({ version: 1 }));
    expect(await c.get('b', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
    expect(await c.get('a', () => Promise.resolve({ version: 3 }))).toEqual({ version: 1 });
  });

  it('reads again once an entry is older than the expiry', async () => {
    const { cache: c, clock, results } = cache();
    await c.get('a', () => Promise.resolve({ version: 1 }));
    clock.advance(9_999);
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 1 });
    clock.advance(2);
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
    expect(results).toEqual(['miss', 'hit', 'miss']);
  });

  it('never caches "not found"', async () => {
    const { cache: c, results } = cache();
    const load = vi.fn(() => Promise.resolve(undefined));
    expect(await c.get('gone', load)).toBeUndefined();
    expect(await c.get('gone', load)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(2);
    expect(results).toEqual(['miss', 'miss']);
  });

  it('reads again after an invalidation of the key, and only of that key', async () => {
    const { cache: c } = cache();
    await c.get('a', () => Promise.resolve({ version: 1 }));
    await c.get('b', () => Promise.resolve({ version: 1 }));
    c.invalidate('a');
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
    expect(await c.get('b', () => Promise.resolve({ version: 2 }))).toEqual({ version: 1 });
  });

  it('does not store a load that an invalidation of its key overtook, but still answers it', async () => {
    const { cache: c } = cache();
    const old = deferred<Value>();
    const read = c.get('a', () => old.promise);
    // The write commits and invalidates while the read still waits on the old row.
    c.invalidate('a');
    old.resolve({ version: 1 });
    expect(await read).toEqual({ version: 1 });
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
  });

  it('stores a load that an invalidation of another key overtook', async () => {
    const { cache: c, results } = cache();
    const load = deferred<Value>();
    const read = c.get('a', () => load.promise);
    c.invalidate('b');
    load.resolve({ version: 1 });
    await read;
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 1 });
    expect(results).toEqual(['miss', 'hit']);
  });

  it('keeps the overtaking invalidation in mind while another load of the key runs', async () => {
    const { cache: c } = cache();
    const first = deferred<Value>();
    const second = deferred<Value>();
    const reads = [c.get('a', () => first.promise), c.get('a', () => second.promise)];
    c.invalidate('a');
    first.resolve({ version: 1 });
    await reads[0];
    second.resolve({ version: 1 });
    await reads[1];
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
  });

  it('does not store a load that a clear overtook', async () => {
    const { cache: c } = cache();
    const old = deferred<Value>();
    const read = c.get('a', () => old.promise);
    c.clear();
    old.resolve({ version: 1 });
    await read;
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
  });

  it('starts paused: every read goes to the uncached loader and nothing is stored', async () => {
    const results: CacheResult[] = [];
    const paused = createReadCache<Value | undefined>({
      maxEntries: 10,
      maxChars: 1_000,
      ttlMs: 10_000,
      onResult: (result) => results.push(result),
    });
    const fill = vi.fn(() => Promise.resolve({ version: 1 }));
    const uncached = vi.fn(() => Promise.resolve({ version: 0 }));
    expect(await paused.get('a', fill, uncached)).toEqual({ version: 0 });
    expect(await paused.get('a', fill, uncached)).toEqual({ version: 0 });
    expect(fill).not.toHaveBeenCalled();
    expect(uncached).toHaveBeenCalledTimes(2);
    expect(results).toEqual(['bypass', 'bypass']);
  });

  it('bypasses while paused, drops a load the pause overtook, and comes back empty', async () => {
    const { cache: c, results } = cache();
    await c.get('kept', () => Promise.resolve({ version: 1 }));
    const inFlight = deferred<Value>();
    const read = c.get('late', () => inFlight.promise);
    c.pause();
    inFlight.resolve({ version: 1 });
    await read;
    expect(await c.get('kept', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
    c.resume();
    // Invalidations may have been missed meanwhile: nothing from before the pause is served.
    expect(await c.get('kept', () => Promise.resolve({ version: 3 }))).toEqual({ version: 3 });
    expect(await c.get('late', () => Promise.resolve({ version: 3 }))).toEqual({ version: 3 });
    expect(results).toEqual(['miss', 'miss', 'bypass', 'miss', 'miss']);
  });

  it('does not store a load that began before an outage and ended after it', async () => {
    const { cache: c } = cache();
    const old = deferred<Value>();
    const read = c.get('a', () => old.promise);
    c.pause();
    c.resume();
    old.resolve({ version: 1 });
    await read;
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
  });

  it('uses the fill loader, not the uncached one, while caching', async () => {
    const { cache: c } = cache();
    const uncached = vi.fn(() => Promise.resolve({ version: 0 }));
    expect(await c.get('a', () => Promise.resolve({ version: 1 }), uncached)).toEqual({
      version: 1,
    });
    expect(uncached).not.toHaveBeenCalled();
  });

  it("getMany answers hits from memory and reads every miss in one load, in the keys' order", async () => {
    const { cache: c, results } = cache();
    await c.get('b', () => Promise.resolve({ version: 2 }));
    results.length = 0;
    const load = vi.fn((keys: readonly string[]) =>
      Promise.resolve(new Map(keys.map((key) => [key, { version: key.length }]))),
    );
    expect(await c.getMany(['a', 'b', 'ccc'], load)).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
    ]);
    expect(load).toHaveBeenCalledExactlyOnceWith(['a', 'ccc']);
    expect(results).toEqual(['hit', 'miss']);
    // Both misses were stored: a second read loads nothing.
    expect(await c.getMany(['ccc', 'a'], load)).toEqual([{ version: 3 }, { version: 1 }]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('getMany counts each result once, with the number of keys it answered that way', async () => {
    const counted: [CacheResult, number][] = [];
    const c = createReadCache<Value | undefined>({
      maxEntries: 10,
      maxChars: 1_000,
      ttlMs: 1_000,
      onResult: (result, keys) => counted.push([result, keys]),
    });
    const load = (keys: readonly string[]): Promise<Map<string, Value>> =>
      Promise.resolve(new Map(keys.map((key) => [key, { version: 1 }])));
    await c.getMany(['a', 'b'], load);
    c.resume();
    await c.getMany(['a', 'b', 'c'], load);
    await c.getMany(['a', 'b', 'c', 'd'], load);
    expect(counted).toEqual([
      ['bypass', 2],
      ['miss', 3],
      ['hit', 3],
      ['miss', 1],
    ]);
  });

  it('getMany leaves a key its load did not find undefined, and never stores it', async () => {
    const { cache: c } = cache();
    const load = vi.fn(() => Promise.resolve(new Map([['a', { version: 1 }]])));
    expect(await c.getMany(['a', 'gone'], load)).toEqual([{ version: 1 }, undefined]);
    expect(await c.getMany(['a', 'gone'], load)).toEqual([{ version: 1 }, undefined]);
    expect(load).toHaveBeenLastCalledWith(['gone']);
  });

  it('getMany does not store the keys an invalidation overtook, and stores the others', async () => {
    const { cache: c } = cache();
    const slow = deferred<Map<string, Value>>();
    const pending = c.getMany(['a', 'b'], () => slow.promise);
    c.invalidate('a');
    slow.resolve(
      new Map([
        ['a', { version: 1 }],
        ['b', { version: 1 }],
      ]),
    );
    expect(await pending).toEqual([{ version: 1 }, { version: 1 }]);
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
    expect(await c.get('b', () => Promise.resolve({ version: 2 }))).toEqual({ version: 1 });
  });

  it('getMany reads every key while paused and stores none', async () => {
    const { cache: c, results } = cache();
    c.pause();
    expect(c.isActive()).toBe(false);
    const load = vi.fn((keys: readonly string[]) =>
      Promise.resolve(new Map(keys.map((key) => [key, { version: 1 }]))),
    );
    await c.getMany(['a', 'b'], load);
    await c.getMany(['a', 'b'], load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(results).toEqual(['bypass', 'bypass']);
    c.resume();
    expect(c.isActive()).toBe(true);
  });

  it('holds at most maxEntries, forgetting the least recently used', async () => {
    const { cache: c } = cache({ maxEntries: 2 });
    await c.get('a', () => Promise.resolve({ version: 1 }));
    await c.get('b', () => Promise.resolve({ version: 1 }));
    await c.get('a', () => Promise.resolve({ version: 2 }));
    await c.get('c', () => Promise.resolve({ version: 1 }));
    expect(await c.get('a', () => Promise.resolve({ version: 2 }))).toEqual({ version: 1 });
    expect(await c.get('b', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
  });

  it('holds at most maxChars of JSON, so a few huge values cannot take the memory', async () => {
    const { cache: c } = cache({ maxChars: 100 });
    const huge = { version: 1, body: 'x'.repeat(200) };
    await c.get('huge', () => Promise.resolve(huge));
    expect(await c.get('huge', () => Promise.resolve({ version: 2 }))).toEqual({ version: 2 });
  });
});

describe('createReadCaches', () => {
  const alice: ProfileView = {
    username: parseUsername('alice'),
    bio: null,
    image: null,
    following: false,
  };
  const cached = (slug: string): CachedCard => ({ id: 1 as ArticleId, card: article(slug) });
  const standing: AccountAccess = {
    role: 'user',
    status: 'active',
    tokenVersion: 0 as TokenVersion,
    keptTokenId: null,
  };
  const article = (slug: string): ArticleView => ({
    slug: slugify(slug),
    title: slug,
    description: 'd',
    body: 'b',
    tagList: [],
    createdAt: new Date(0),
    updatedAt: new Date(0),
    favorited: false,
    favoritesCount: 0,
    author: alice,
  });

  it("invalidates what an invalidation names: articles and their cards one by one or all, profiles, tags, accounts' standings", async () => {
    const counted: string[] = [];
    const caches = createReadCaches(
      (name, result) => counted.push(`${name}:${result}`),
      manualClock().now,
    );
    caches.resume();
    const warm = async (): Promise<void> => {
      await caches.articles.get('one', () => Promise.resolve(article('one')));
      await caches.articles.get('two', () => Promise.resolve(article('two')));
      await caches.cards.get('one', () => Promise.resolve(cached('one')));
      await caches.profiles.get('alice', () => Promise.resolve(alice));
      await caches.tags.get(TAGS_KEY, () => Promise.resolve(['a-tag']));
      await caches.accounts.get('1', () => Promise.resolve(standing));
      await caches.accounts.get('2', () => Promise.resolve(standing));
    };
    await warm();
    counted.length = 0;

    caches.apply({ articles: ['one'], accounts: ['2'] });
    await warm();
    expect(counted).toEqual([
      'article:miss',
      'article:hit',
      'card:miss',
      'profile:hit',
      'tags:hit',
      'account:hit',
      'account:miss',
    ]);

    counted.length = 0;
    caches.apply({ articles: 'all', profiles: ['alice'], tags: true, accounts: 'all' });
    await warm();
    const everything = [
      'article:miss',
      'article:miss',
      'card:miss',
      'profile:miss',
      'tags:miss',
      'account:miss',
      'account:miss',
    ];
    expect(counted).toEqual(everything);

    counted.length = 0;
    caches.apply(INVALIDATE_ALL);
    await warm();
    expect(counted).toEqual(everything);
  });

  it('pauses and resumes all five together, starting paused', async () => {
    const counted: string[] = [];
    const caches = createReadCaches((name, result) => counted.push(`${name}:${result}`));
    await caches.tags.get(TAGS_KEY, () => Promise.resolve(['a']));
    caches.resume();
    await caches.tags.get(TAGS_KEY, () => Promise.resolve(['a']));
    caches.pause();
    await caches.profiles.get('alice', () => Promise.resolve(alice));
    await caches.articles.get('one', () => Promise.resolve(article('one')));
    await caches.cards.get('one', () => Promise.resolve(cached('one')));
    await caches.accounts.get('1', () => Promise.resolve(standing));
    expect(counted).toEqual([
      'tags:bypass',
      'tags:miss',
      'profile:bypass',
      'article:bypass',
      'card:bypass',
      'account:bypass',
    ]);
  });

  it("counts a card's size close to its JSON's length without serializing it", () => {
    const card: ArticleCard = {
      slug: slugify('a-fairly-ordinary-title-1a2b3c'),
      favorited: false,
      title: 'A fairly ordinary title',
      description: 'What the article is about, in a sentence or two of plain words.',
      tagList: ['typescript', 'postgres', 'caching'],
      createdAt: new Date('2026-11-28T10:00:00.123Z'),
      updatedAt: new Date('2026-11-28T11:00:00.456Z'),
      favoritesCount: 1234,
      author: { ...alice, bio: 'Writes about databases.', image: 'https://example.com/a.png' },
    };
    const json = JSON.stringify(card).length;
    const size = cardSize({ id: 1 as ArticleId, card });
    expect(size).toBeGreaterThan(json * 0.9);
    expect(size).toBeLessThan(json * 1.1);
  });

  it('expires entries after the 10 s of spec.md §5', () => {
    expect(CACHE_TTL_MS).toBe(10_000);
  });
});
