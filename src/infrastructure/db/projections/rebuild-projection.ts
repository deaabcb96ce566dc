import { and, eq, ne, notExists, or, sql, sum } from 'drizzle-orm';
import type { Database } from '../database.js';
import { rebuildRetry } from '../retry.js';
import { transaction } from '../transaction.js';
import {
  ARTICLE_TOTAL_SHARDS,
  articlesTable,
  articleTagsTable,
  articleTotalsTable,
  favoritesTable,
  tagsTable,
} from '../schema/articles.js';
import { usersTable } from '../schema/identity.js';
import { feedTotalsTable, followsTable } from '../schema/profiles.js';
import { tagListOf } from '../articles/tag-list.js';
import { articlesByAuthor } from './projection-drift.js';

/**
 * The longest the rebuild waits for any one lock before it gives up the attempt: well under
 * PostgreSQL's `deadlock_timeout` (1 s by default), so the rebuild lets go before the deadlock
 * detector picks a victim.
 */
const LOCK_WAIT_MS = 200;

/**
 * Recomputes every column of the read projection (spec.md §3.1) from the write model (articles,
 * article_tags, favorites, follows, users), writing only the rows that are wrong, in one
 * transaction. The tables involved are locked against writes (`SHARE ROW EXCLUSIVE` mode: reads
 * go on, and a second rebuild waits) for the duration, so no write lands between a count and its
 * update; run it when `projectionDrift()` reports drift (`npm run projections:rebuild`), in a
 * quiet moment.
 *
 * The tables are locked one after another, and a write in flight may hold one further down the
 * list while it waits for one the rebuild already holds (a favorite inserts into `favorites`,
 * then updates `articles`): a deadlock, whichever order the list takes, since the writes
 * themselves touch these tables in different orders. So every lock wait of the rebuild is bounded
 * (`LOCK_WAIT_MS`); an attempt that runs out of it rolls back, releasing what it took so the
 * write finishes, and the whole rebuild runs again (`rebuildRetry`).
 */
export async function rebuildProjection(database: Database): Promise<void> {
  await rebuildRetry.execute(() => rebuildOnce(database));
}

async function rebuildOnce(database: Database): Promise<void> {
  await transaction(database, async (db) => {
    // sql: set_config has no builder; bounds each lock wait of this transaction (is_local).
    await db.execute(sql`select set_config('lock_timeout', ${`${String(LOCK_WAIT_MS)}ms`}, true)`);
    // SHARE ROW EXCLUSIVE blocks writes, lets reads through, and is held by one session at a
    // time (two rebuilds in SHARE mode would deadlock on their updates).
    await db.execute(
      // sql: LOCK TABLE has no builder.
      sql`lock table ${articlesTable}, ${articleTagsTable}, ${favoritesTable}, ${followsTable}, ${usersTable}, ${tagsTable}, ${feedTotalsTable}, ${articleTotalsTable} in share row exclusive mode`,
    );
    const favoritesOf = db.$count(favoritesTable, eq(favoritesTable.articleId, articlesTable.id));
    await db
      .update(articlesTable)
      .set({ favoritesCount: favoritesOf })
      .where(ne(articlesTable.favoritesCount, favoritesOf));

    const tagsOf = tagListOf(db, articlesTable.id);
    await db
      .update(articlesTable)
      .set({ tagList: tagsOf })
      .where(ne(articlesTable.tagList, tagsOf));

    const publishedBy = db.$count(articlesTable, eq(articlesTable.authorId, usersTable.id));
    const favoritedBy = db.$count(favoritesTable, eq(favoritesTable.userId, usersTable.id));
    await db
      .update(usersTable)
      .set({ articlesCount: publishedBy, favoritesCount: favoritedBy })
      .where(
        or(ne(usersTable.articlesCount, publishedBy), ne(usersTable.favoritesCount, favoritedBy)),
      );

    const linksOf = db.$count(articleTagsTable, eq(articleTagsTable.tagId, tagsTable.id));
    await db
      .update(tagsTable)
      .set({ articlesCount: linksOf })
      .where(ne(tagsTable.articlesCount, linksOf));

    const inShard = db.$count(
      articlesTable,
      // sql: the shard an article counts in, the same expression the writes use.
      sql`${articlesTable.id} % ${ARTICLE_TOTAL_SHARDS} = ${articleTotalsTable.shard}`,
    );
    await db
      .update(articleTotalsTable)
      .set({ articles: inShard })
      .where(ne(articleTotalsTable.articles, inShard));

    for (const link of [articleTagsTable, favoritesTable]) {
      await db
        .update(link)
        .set({ articleCreatedAt: articlesTable.createdAt })
        .from(articlesTable)
        .where(
          and(
            eq(articlesTable.id, link.articleId),
            ne(link.articleCreatedAt, articlesTable.createdAt),
          ),
        );
    }

    // Every reader who follows anyone has a row; its value is the articles of everyone followed,
    // counted per author first (see articlesByAuthor).
    const published = articlesByAuthor(db);
    const followed = db
      .select({
        userId: followsTable.followerId,
        // sql: a column alias matching the insert's target, for `excluded.articles` below.
        articles: sql<number>`coalesce(${sum(published.articles)}, 0)::integer`.as('articles'),
      })
      .from(followsTable)
      .leftJoin(published, eq(published.authorId, followsTable.followeeId))
      .groupBy(followsTable.followerId);
    await db
      .insert(feedTotalsTable)
      .select(followed)
      .onConflictDoUpdate({
        target: feedTotalsTable.userId,
        // sql: the value the insert proposed, kept only where it differs.
        set: { articles: sql`excluded.articles` },
        setWhere: sql`${feedTotalsTable.articles} <> excluded.articles`,
      });
    // A row left by readers who no longer follow anyone counts nothing.
    await db
      .update(feedTotalsTable)
      .set({ articles: 0 })
      .where(
        and(
          ne(feedTotalsTable.articles, 0),
          notExists(
            db
              .select({ readerId: followsTable.followerId })
              .from(followsTable)
              .where(eq(followsTable.followerId, feedTotalsTable.userId)),
          ),
        ),
      );
  });
}
