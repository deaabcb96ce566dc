import type { ArticleQueries } from '../../domain/articles/ports.js';
import type { ProfileQueries } from '../../domain/profiles/ports.js';
import { TAGS_KEY, type ReadCaches } from './read-caches.js';

/**
 * `queries` with the anonymous article by slug and the tag list served from `caches`. A miss is
 * filled from `primary`, never from a replica, which could store an old value right after an
 * invalidation; reads the cache can't serve (a viewer's flags, lists, the feed, and everything
 * while caching is off) go to `queries` as before.
 */
export function cachedArticleQueries(
  queries: ArticleQueries,
  primary: ArticleQueries,
  caches: ReadCaches,
): ArticleQueries {
  return {
    findBySlug(slug, viewer) {
      if (viewer !== undefined) return queries.findBySlug(slug, viewer);
      return caches.articles.get(
        slug,
        () => primary.findBySlug(slug, undefined),
        () => queries.findBySlug(slug, undefined),
      );
    },
    list: (filter, page, viewer) => queries.list(filter, page, viewer),
    feed: (reader, page) => queries.feed(reader, page),
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
