import type { ArticleId, UserId, Viewer } from '../shared/ids.js';
import type { Page } from '../shared/pagination.js';
import type { Username } from '../shared/username.js';
import type { ArticleContent, ArticleList, ArticleRef, ArticleView } from './article.js';
import type { Slug } from '../shared/slug.js';

export type LockIntent = 'change' | 'delete';

export interface NewArticle extends ArticleContent {
  readonly authorId: UserId;
  readonly slug: Slug;
}

/** Write side of the articles context; every method runs inside the caller's transaction. */
export interface ArticleRepository {
  /**
   * Locks the article row until the transaction ends, so checks and writes see one state.
   * `change` still lets others add comments and favorites meanwhile; `delete` does not.
   */
  lockBySlug(slug: Slug, intent: LockIntent): Promise<ArticleRef | undefined>;
  /** `undefined` when the slug is taken; the caller picks another. */
  insert(article: NewArticle): Promise<ArticleId | undefined>;
  update(id: ArticleId, changes: Partial<ArticleContent>): Promise<void>;
  /** Replaces the article's tags with `tags` (creating tags that don't exist yet). */
  setTags(id: ArticleId, tags: readonly string[]): Promise<void>;
  /** Deletes the article (locked for delete) with its tag links, favorites and comments. */
  remove(article: ArticleRef): Promise<void>;
  /**
   * Idempotent; keeps the article's favorites count exact under concurrency. True when this call
   * changed something (the favorite was not there yet).
   */
  addFavorite(id: ArticleId, userId: UserId): Promise<boolean>;
  /** True when this call took the favorite away. */
  removeFavorite(id: ArticleId, userId: UserId): Promise<boolean>;
}

export interface ArticleFilter {
  readonly tag?: string;
  readonly author?: Username;
  readonly favoritedBy?: Username;
}

/** Read side: each method answers with the response projection for `viewer`. */
export interface ArticleQueries {
  findBySlug(slug: Slug, viewer: Viewer): Promise<ArticleView | undefined>;
  list(filter: ArticleFilter, page: Page, viewer: Viewer): Promise<ArticleList>;
  feed(reader: UserId, page: Page): Promise<ArticleList>;
  tags(): Promise<string[]>;
}
