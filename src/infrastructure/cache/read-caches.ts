import type { CacheResult } from '../../core/http/cache-metrics.js';
import type { ArticleView } from '../../domain/articles/article.js';
import type { AccountAccess } from '../../domain/identity/ports.js';
import type { ProfileView } from '../../domain/shared/profile-view.js';
import type { CachedCard } from '../db/articles/article-queries.js';
import { createReadCache, type ReadCache } from './read-cache.js';

/** Spec.md §5: bounds the damage of an invalidation that never arrived. */
export const CACHE_TTL_MS = 10_000;

/** The `cache` label of the metrics. */
export type CacheName = 'account' | 'article' | 'card' | 'profile' | 'tags';

/** What a write made stale: the message on the invalidation channel. */
export interface Invalidation {
  /**
   * Slugs whose anonymous view and card changed, or `'all'` (an author's profile is embedded in
   * each).
   */
  readonly articles?: readonly string[] | 'all';
  /** Usernames, or `'all'`. */
  readonly profiles?: readonly string[] | 'all';
  readonly tags?: boolean;
  /** User ids whose token standing changed (a revocation), or `'all'`. */
  readonly accounts?: readonly string[] | 'all';
}

/** Everything: what an unreadable message invalidates. */
export const INVALIDATE_ALL: Invalidation = {
  articles: 'all',
  profiles: 'all',
  tags: true,
  accounts: 'all',
};

/**
 * The anonymous views and the tokens' standings cached in this process (spec.md §5), switched on
 * and off together.
 */
export interface ReadCaches {
  /** What a read's token is checked against, by user id. */
  readonly accounts: ReadCache<AccountAccess | undefined>;
  /** By slug. */
  readonly articles: ReadCache<ArticleView | undefined>;
  /**
   * The anonymous cards of the lists, by slug, each with its article's id: an article's view
   * without its body, which a list never shows and which may be 100 000 characters.
   */
  readonly cards: ReadCache<CachedCard | undefined>;
  /** By username. */
  readonly profiles: ReadCache<ProfileView | undefined>;
  /** One entry, `TAGS_KEY`. */
  readonly tags: ReadCache<string[]>;
  apply(invalidation: Invalidation): void;
  pause(): void;
  resume(): void;
}

export const TAGS_KEY = 'tags';

/** A card's JSON apart from its text: field names, quotes, dates, count and flags. */
const CARD_FRAME_CHARS = 250;

/**
 * A card's size in characters of its JSON, counted from its text fields: serializing it, as the
 * other caches do, cost a page of 20 misses 20 serializations (docs/performance.md, "Cards from
 * memory"). It counts a character JSON escapes (a quote, a newline, a control character) as one:
 * a bound on the entries' number of characters, which is what they take in memory.
 */
export function cardSize({ card }: CachedCard): number {
  const { author } = card;
  const texts = [
    card.slug,
    card.title,
    card.description,
    author.username,
    author.bio,
    author.image,
  ];
  return (
    CARD_FRAME_CHARS +
    texts.reduce((sum, text) => sum + (text?.length ?? 0), 0) +
    card.tagList.reduce((sum, tag) => sum + tag.length + 3, 0)
  );
}

function drop<V>(cache: ReadCache<V>, keys: readonly string[] | 'all' = []): void {
  if (keys === 'all') cache.clear();
  else for (const key of keys) cache.invalidate(key);
}

/** The five caches, each reporting its reads as `onResult(name, result, keys)`. */
export function createReadCaches(
  onResult: (cache: CacheName, result: CacheResult, keys: number) => void,
  now?: () => number,
): ReadCaches {
  const cache = <V extends object | undefined>(
    name: CacheName,
    maxEntries: number,
    sizeOf?: (value: NonNullable<V>) => number,
  ): ReadCache<V> =>
    createReadCache<V>({
      maxEntries,
      // About 32 MiB of UTF-16 per cache at most.
      maxChars: 16 * 1024 * 1024,
      ...(sizeOf !== undefined && { sizeOf }),
      ttlMs: CACHE_TTL_MS,
      onResult: (result, keys) => {
        onResult(name, result, keys);
      },
      ...(now !== undefined && { now }),
    });
  const articles = cache<ArticleView | undefined>('article', 5_000);
  // A card is about 500 characters: the bound on characters holds about 30 000 of them.
  const cards = cache<CachedCard | undefined>('card', 50_000, cardSize);
  const profiles = cache<ProfileView | undefined>('profile', 10_000);
  const tags = cache<string[]>('tags', 1);
  // An account's standing is about 90 characters.
  const accounts = cache<AccountAccess | undefined>('account', 50_000);
  const all = [accounts, articles, cards, profiles, tags];
  return {
    accounts,
    articles,
    cards,
    profiles,
    tags,
    apply(invalidation) {
      drop(articles, invalidation.articles);
      drop(cards, invalidation.articles);
      drop(profiles, invalidation.profiles);
      if (invalidation.tags === true) tags.invalidate(TAGS_KEY);
      drop(accounts, invalidation.accounts);
    },
    pause() {
      for (const each of all) each.pause();
    },
    resume() {
      for (const each of all) each.resume();
    },
  };
}
