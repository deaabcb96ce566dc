import { and, asc, eq, inArray, notInArray, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { ArticleRepository } from '../../../domain/articles/ports.js';
import type { Slug } from '../../../domain/shared/slug.js';
import type { ArticleId, UserId } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { changedAt } from '../changed-at.js';
import { beforeCommit } from '../unit-of-work.js';
import {
  ARTICLE_TOTAL_SHARDS,
  articlesTable,
  articleTagsTable,
  articleTotalsTable,
  favoritesTable,
  tagsTable,
} from '../schema/articles.js';
import { usersTable } from '../schema/identity.js';
import { tagListOf } from './tag-list.js';
import { feedTotalsTable, followsTable } from '../schema/profiles.js';

type Delta = 1 | -1;

/**
 * Article writes on one transaction. Every write keeps the list counters exact in the same
 * transaction (spec.md §3): `articles.favorites_count`, `users.articles_count` and
 * `favorites_count`, `feed_totals`, the sharded global total and `tags.articles_count`.
 *
 * Every write takes its locks in one order, so no two of them can wait on each other in a
 * cycle: the article row, then `users` rows (ascending id when several), then `feed_totals`
 * rows, then an `article_totals` shard, then tags.
 */
export function createArticleRepository(db: Database): ArticleRepository {
  // sql: in-place increments, correct whatever other transactions did before us.
  const plus = (column: AnyPgColumn, delta: number | SQL): SQL => sql`${column} + ${delta}`;

  /**
   * Locks the tag rows `ids` names in ascending id, for an UPDATE of them in the next statement:
   * an UPDATE alone locks in whatever order its plan reads the rows, and two writes sharing tags
   * must not cross. Not one statement with the UPDATE: a tag row also carries the KEY SHARE locks
   * that linking publishes take through the foreign key. An UPDATE that waited for a tag another
   * publish was updating still scans with its older snapshot; it would come back to the row's
   * old version, see those KEY SHARE lockers, and queue for the tuple lock that a second write
   * (waiting on this one) holds: a retag and a delete deadlocked so. The next statement's snapshot
   * sees the version this one locked.
   */
  async function lockTags(ids: number[] | SQLWrapper): Promise<void> {
    await db
      .select({ id: tagsTable.id })
      .from(tagsTable)
      .where(inArray(tagsTable.id, ids))
      .orderBy(asc(tagsTable.id))
      .for('no key update');
  }

  async function adjustFavoritesCount(id: ArticleId, userId: UserId, delta: Delta): Promise<void> {
    await db
      .update(articlesTable)
      .set({ favoritesCount: plus(articlesTable.favoritesCount, delta) })
      .where(eq(articlesTable.id, id));
    await db
      .update(usersTable)
      .set({ favoritesCount: plus(usersTable.favoritesCount, delta) })
      .where(eq(usersTable.id, userId));
  }

  /**
   * The author's count, the followers' feed totals and the shard. The author's row comes first:
   * a concurrent follow of this author holds it FOR SHARE while it adds the author's count, so
   * that follow is either seen by the fan-out below or sees the new count.
   */
  async function adjustArticleTotals(id: ArticleId, authorId: UserId, delta: Delta): Promise<void> {
    await db
      .update(usersTable)
      .set({ articlesCount: plus(usersTable.articlesCount, delta) })
      .where(eq(usersTable.id, authorId));
    // Fan-out on write: each follower's feed total, in its own table, never a `users` row. An
    // UPDATE alone locks in whatever order its plan reads the rows, and two publishes by authors
    // with followers in common would deadlock: it takes them from a subquery that locks them in
    // ascending id (sorted before locked; a row reaches the UPDATE only once locked). One
    // statement is safe here, unlike for the tags (lockTags): no foreign key refers to
    // `feed_totals` and nothing share-locks its rows, so no old version has lockers to wait on.
    const followers = db
      .select({ followerId: followsTable.followerId })
      .from(followsTable)
      .where(eq(followsTable.followeeId, authorId));
    const lockedFeedTotals = db
      .select({ userId: feedTotalsTable.userId })
      .from(feedTotalsTable)
      .where(inArray(feedTotalsTable.userId, followers))
      .orderBy(asc(feedTotalsTable.userId))
      .for('no key update');
    await db
      .update(feedTotalsTable)
      .set({ articles: plus(feedTotalsTable.articles, delta) })
      .where(inArray(feedTotalsTable.userId, lockedFeedTotals));
    await db
      .update(articleTotalsTable)
      .set({ articles: plus(articleTotalsTable.articles, delta) })
      .where(eq(articleTotalsTable.shard, id % ARTICLE_TOTAL_SHARDS));
  }

  return {
    async lockBySlug(slug, intent) {
      const [row] = await db
        .select({
          id: articlesTable.id,
          slug: articlesTable.slug,
          authorId: articlesTable.authorId,
        })
        .from(articlesTable)
        .where(eq(articlesTable.slug, slug))
        // NO KEY UPDATE does not block the KEY SHARE locks that inserting a comment or a
        // favorite takes on the article; only a delete needs the full UPDATE lock.
        .for(intent === 'delete' ? 'update' : 'no key update');
      return row === undefined
        ? undefined
        : { id: row.id as ArticleId, slug: row.slug as Slug, authorId: row.authorId as UserId };
    },

    async insert(article) {
      const [row] = await db
        .insert(articlesTable)
        .values(article)
        .onConflictDoNothing({ target: articlesTable.slug })
        .returning({ id: articlesTable.id });
      if (row === undefined) return undefined;
      const id = row.id as ArticleId;
      await beforeCommit(() => adjustArticleTotals(id, article.authorId, 1));
      return id;
    },

    async update(id, changes) {
      await db
        .update(articlesTable)
        .set({ ...changes, updatedAt: changedAt(articlesTable.updatedAt) })
        .where(eq(articlesTable.id, id));
    },

    async setTags(id, tags) {
      const names = [...tags].sort();
      if (names.length > 0) {
        await db
          .insert(tagsTable)
          // Sorted, so concurrent publishes sharing new tags take their locks in one order and
          // can't deadlock.
          .values(names.map((name) => ({ name })))
          .onConflictDoNothing({ target: tagsTable.name });
      }
      const wanted = db
        .select({ id: tagsTable.id })
        .from(tagsTable)
        .where(inArray(tagsTable.name, names));
      // Only the links that change: a kept tag's counter is not touched.
      const removed = await db
        .delete(articleTagsTable)
        .where(
          and(
            eq(articleTagsTable.articleId, id),
            names.length === 0 ? undefined : notInArray(articleTagsTable.tagId, wanted),
          ),
        )
        .returning({ tagId: articleTagsTable.tagId });
      const added =
        names.length === 0
          ? []
          : await db
              .insert(articleTagsTable)
              .select(
                db
                  .select({
                    articleId: articlesTable.id,
                    tagId: tagsTable.id,
                    articleCreatedAt: articlesTable.createdAt,
                  })
                  .from(tagsTable)
                  .innerJoin(articlesTable, eq(articlesTable.id, id))
                  .where(inArray(tagsTable.name, names)),
              )
              .onConflictDoNothing()
              .returning({ tagId: articleTagsTable.tagId });
      // One statement for both directions, so two edits swapping tags lock them in one order.
      const addedIds = added.map((link) => link.tagId);
      const changed = [...removed.map((link) => link.tagId), ...addedIds];
      if (changed.length > 0) {
        // Queued after a publish's own counters (`insert` runs first), so the tags stay last.
        await beforeCommit(async () => {
          await lockTags(changed);
          await db
            .update(tagsTable)
            .set({
              articlesCount: plus(
                tagsTable.articlesCount,
                // sql: +1 for a tag just linked, −1 for one just unlinked, in one UPDATE.
                sql`case when ${addedIds.length === 0 ? sql`false` : inArray(tagsTable.id, addedIds)} then 1 else -1 end`,
              ),
            })
            .where(inArray(tagsTable.id, changed));
        });
      }
      await db
        .update(articlesTable)
        // The copy is made from the links just written.
        .set({ tagList: tagListOf(db, id) })
        .where(eq(articlesTable.id, id));
    },

    async remove({ id, authorId }) {
      // The counters first (the delete's cascade takes the rows they count), in lock order:
      // the author's and the favoriters' `users` rows, locked in ascending id before any update.
      const favoriters = db
        .select({ userId: favoritesTable.userId })
        .from(favoritesTable)
        .where(eq(favoritesTable.articleId, id));
      await db
        .select({ id: usersTable.id })
        .from(usersTable)
        .where(or(eq(usersTable.id, authorId), inArray(usersTable.id, favoriters)))
        .orderBy(asc(usersTable.id))
        .for('no key update');
      await db
        .update(usersTable)
        .set({ favoritesCount: plus(usersTable.favoritesCount, -1) })
        .where(inArray(usersTable.id, favoriters));
      await adjustArticleTotals(id, authorId, -1);
      const linked = db
        .select({ tagId: articleTagsTable.tagId })
        .from(articleTagsTable)
        .where(eq(articleTagsTable.articleId, id));
      await lockTags(linked);
      await db
        .update(tagsTable)
        .set({ articlesCount: plus(tagsTable.articlesCount, -1) })
        .where(inArray(tagsTable.id, linked));
      // Tag links, favorites and comments go with it (ON DELETE CASCADE), in this statement.
      await db.delete(articlesTable).where(eq(articlesTable.id, id));
    },

    async addFavorite(id, userId) {
      const inserted = await db
        .insert(favoritesTable)
        .select(
          db
            .select({
              // Drizzle's INSERT … SELECT names every column in table order.
              // sql: a typed parameter, and the database clock as the column default would be.
              userId: sql<number>`${userId}::integer`.as('user_id'),
              articleId: articlesTable.id,
              createdAt: sql<Date>`now()`.as('created_at'),
              // The article's created_at comes along from its row.
              articleCreatedAt: articlesTable.createdAt,
            })
            .from(articlesTable)
            .where(eq(articlesTable.id, id)),
        )
        .onConflictDoNothing()
        .returning({ userId: favoritesTable.userId });
      if (inserted.length === 0) return false;
      await adjustFavoritesCount(id, userId, 1);
      return true;
    },

    async removeFavorite(id, userId) {
      const deleted = await db
        .delete(favoritesTable)
        .where(and(eq(favoritesTable.articleId, id), eq(favoritesTable.userId, userId)))
        .returning({ userId: favoritesTable.userId });
      if (deleted.length === 0) return false;
      await adjustFavoritesCount(id, userId, -1);
      return true;
    },
  };
}
