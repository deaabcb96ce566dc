import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../src/infrastructure/db/database.js';
import {
  articlesTable,
  articleTagsTable,
  articleTotalsTable,
  favoritesTable,
  tagsTable,
} from '../../src/infrastructure/db/schema/articles.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import { feedTotalsTable } from '../../src/infrastructure/db/schema/profiles.js';

/** One projected value and the key of the row holding it (`id`, or `a/b` for a link). */
type Projected = readonly [key: string, value: number | string | readonly string[]];

/**
 * Every column of the read projection (spec.md §3.1), named as `projectionDrift()` names it, each
 * a list of (row key, value) ordered by key: two snapshots are equal exactly when every projected
 * value of every row is.
 */
export type ProjectionSnapshot = Readonly<Record<string, readonly Projected[]>>;

const at = (time: Date): string => time.toISOString();

export async function projectionSnapshot(db: Database): Promise<ProjectionSnapshot> {
  const articles = await db
    .select({
      id: articlesTable.id,
      favoritesCount: articlesTable.favoritesCount,
      tagList: articlesTable.tagList,
    })
    .from(articlesTable)
    .orderBy(asc(articlesTable.id));
  const users = await db
    .select({
      id: usersTable.id,
      articlesCount: usersTable.articlesCount,
      favoritesCount: usersTable.favoritesCount,
      // A reader without a feed_totals row reads a total of 0, as the feed's query does.
      feedTotal: feedTotalsTable.articles,
    })
    .from(usersTable)
    .leftJoin(feedTotalsTable, eq(feedTotalsTable.userId, usersTable.id))
    .orderBy(asc(usersTable.id));
  const tags = await db
    .select({ id: tagsTable.id, articlesCount: tagsTable.articlesCount })
    .from(tagsTable)
    .orderBy(asc(tagsTable.id));
  const shards = await db
    .select({ shard: articleTotalsTable.shard, articles: articleTotalsTable.articles })
    .from(articleTotalsTable)
    .orderBy(asc(articleTotalsTable.shard));
  const links = await db
    .select({
      articleId: articleTagsTable.articleId,
      tagId: articleTagsTable.tagId,
      articleCreatedAt: articleTagsTable.articleCreatedAt,
    })
    .from(articleTagsTable)
    .orderBy(asc(articleTagsTable.articleId), asc(articleTagsTable.tagId));
  const favorites = await db
    .select({
      userId: favoritesTable.userId,
      articleId: favoritesTable.articleId,
      articleCreatedAt: favoritesTable.articleCreatedAt,
    })
    .from(favoritesTable)
    .orderBy(asc(favoritesTable.userId), asc(favoritesTable.articleId));

  return {
    'articles.favorites_count': articles.map((row) => [String(row.id), row.favoritesCount]),
    'articles.tag_list': articles.map((row) => [String(row.id), row.tagList]),
    'users.articles_count': users.map((row) => [String(row.id), row.articlesCount]),
    'users.favorites_count': users.map((row) => [String(row.id), row.favoritesCount]),
    'feed_totals.articles': users.map((row) => [String(row.id), row.feedTotal ?? 0]),
    'tags.articles_count': tags.map((row) => [String(row.id), row.articlesCount]),
    'article_totals.articles': shards.map((row) => [String(row.shard), row.articles]),
    'article_tags.article_created_at': links.map((row) => [
      `${String(row.articleId)}/${String(row.tagId)}`,
      at(row.articleCreatedAt),
    ]),
    'favorites.article_created_at': favorites.map((row) => [
      `${String(row.userId)}/${String(row.articleId)}`,
      at(row.articleCreatedAt),
    ]),
  };
}
