import type { ArticleCard, ArticleList } from '../../domain/articles/article.js';
import type { ArticleQueries } from '../../domain/articles/ports.js';
import type { AccountRepository } from '../../domain/identity/ports.js';
import type { ProfileQueries } from '../../domain/profiles/ports.js';
import type { ArticleReads, CachedCard, CardRef, RefPage } from '../db/articles/article-queries.js';
import { TAGS_KEY, type ReadCaches } from './read-caches.js';

/** `card`, cached for anonymous readers, as `ref`'s viewer sees it: a copy, when it differs. */
function withFlags(card: ArticleCard, { favorited, following }: CardRef): ArticleCard {
  if (!favorited && !following) return card;
  return { ...card, favorited, author: { ...card.author, following } };
}

/**
 * `queries` with the anonymous article by slug, the tag list and the lists' cards served from
 * `caches`. A miss is filled from `primary`, never from a replica, which could store an old value
 * right after an invalidation. A list page is read from `queries` as its articles' ids and slugs
 * and the viewer's flags, and its cards, the same for every viewer, come from the cache; a
 * viewer's article by slug, several filters at once, and everything while caching is off are read
 * whole from `queries` as before.
 */
export function cachedArticleQueries(
  queries: ArticleReads,
  primary: ArticleReads,
  caches: ReadCaches,
): ArticleQueries {
  /** The cached or primary cards of `refs`' slugs, in their order. */
  function cardsNamed(refs: readonly CardRef[]): Promise<(CachedCard | undefined)[]> {
    return caches.cards.getMany(
      refs.map((ref) => ref.slug),
      (slugs) => primary.cards(slugs),
    );
  }

  /**
   * The cards of `page`, each the card of the article its reference names: a card kept under the
   * slug of an article since deleted, whose slug a new one took, is dropped and read again. An
   * article deleted after the page was read has no card any more and is left out; its total,
   * read with the page, still counts it.
   */
  async function cardsOf(page: RefPage): Promise<ArticleList> {
    const found = await cardsNamed(page.refs);
    const stale = page.refs.filter((ref, index) => {
      const cached = found[index];
      return cached !== undefined && cached.id !== ref.id;
    });
    for (const ref of stale) caches.cards.invalidate(ref.slug);
    const again = stale.length === 0 ? [] : await cardsNamed(stale);
    const articles: ArticleCard[] = [];
    page.refs.forEach((ref, index) => {
      const cached = found[index]?.id === ref.id ? found[index] : again[stale.indexOf(ref)];
      if (cached?.id === ref.id) articles.push(withFlags(cached.card, ref));
    });
    return { articles, articlesCount: page.articlesCount };
  }

  return {
    findBySlug(slug, viewer) {
      if (viewer !== undefined) return queries.findBySlug(slug, viewer);
      return caches.articles.get(
        slug,
        () => primary.findBySlug(slug, undefined),
        () => queries.findBySlug(slug, undefined),
      );
    },
    async list(filter, page, viewer) {
      if (!caches.cards.isActive()) return queries.list(filter, page, viewer);
      const refs = await queries.listRefs(filter, page, viewer);
      return refs === undefined ? queries.list(filter, page, viewer) : cardsOf(refs);
    },
    async feed(reader, page) {
      if (!caches.cards.isActive()) return queries.feed(reader, page);
      return cardsOf(await queries.feedRefs(reader, page));
    },
    tags: () =>
      caches.tags.get(
        TAGS_KEY,
        () => primary.tags(),
        () => queries.tags(),
      ),
  };
}

/** `queries` with the anonymous profile served from `caches`; a viewer's read is never cached. */
export function cachedProfileQueries(queries: ProfileQueries, caches: ReadCaches): ProfileQueries {
  return {
    findProfile(username, viewer) {
      if (viewer !== undefined) return queries.findProfile(username, viewer);
      return caches.profiles.get(username, () => queries.findProfile(username, undefined));
    },
    findProfileOf: (id, viewer) => queries.findProfileOf(id, viewer),
  };
}

/**
 * `accounts` with a read's token checked against the standing cached by user id (spec.md §5, "A
 * token's standing, for reads"), filled from `accounts`, which reads the primary; everything else,
 * `findAccess` included, as `accounts` answers it.
 */
export function cachedAccountRepository(
  accounts: AccountRepository,
  caches: ReadCaches,
): AccountRepository {
  return {
    ...accounts,
    async findRecentAccess(id, tokenVersion) {
      const key = String(id);
      const load = (): ReturnType<AccountRepository['findAccess']> => accounts.findAccess(id);
      const recent = await caches.accounts.get(key, load);
      if (recent === undefined || recent.tokenVersion >= tokenVersion) return recent;
      // A token issued after this standing was read (a login once the revocation's invalidation
      // was lost or late) would be refused by it: read it again.
      caches.accounts.invalidate(key);
      return caches.accounts.get(key, load);
    },
  };
}
