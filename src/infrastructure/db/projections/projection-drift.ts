import { and, count, eq, isNull, ne, or, sql, sum, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable, SubqueryWithSelection } from 'drizzle-orm/pg-core';
import type { Database } from '../database.js';
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

/** A column of the read projection, and how many of its rows hold a wrong value (0 when exact). */
export interface ProjectionDrift {
  readonly column: string;
  readonly rowsOff: number;
}

/**
 * Rows of `table` whose `stored` counter differs from the number of `source` rows grouped by
 * `groupKey` that point at them through `key`: one aggregate and one join, not a subquery per row.
 */
function counterOff(
  db: Database,
  table: PgTable,
  key: AnyPgColumn,
  stored: AnyPgColumn,
  source: PgTable,
  groupKey: AnyPgColumn | SQL,
): PromiseLike<{ n: number }[]> {
  const counted = db
    // sql: named apart from every column of `table`, which the join sees unqualified.
    .select({ key: sql<number>`${groupKey}`.as('counted_key'), n: count().as('counted_n') })
    .from(source)
    // sql: GROUP BY the first output column, the key: one form for a column and an expression
    // (an expression with a parameter could not be repeated here as the same expression).
    .groupBy(sql`1`)
    .as('counted');
  return db
    .select({ n: count() })
    .from(table)
    .leftJoin(counted, eq(counted.key, key))
    .where(or(and(isNull(counted.key), ne(stored, 0)), ne(stored, counted.n)));
}

/**
 * The articles of each author who has any, counted from the articles themselves: what a feed
 * total sums over the authors a reader follows. Counting per author first, then summing per
 * follow, reads each article and each follow once, where joining follows to articles would
 * visit every article of every feed (2.8 billion rows at size L, against 2 million).
 */
export function articlesByAuthor(
  db: Database,
): SubqueryWithSelection<
  { authorId: SQL.Aliased<number>; articles: SQL.Aliased<number> },
  'published'
> {
  return db
    .select({
      // sql: named apart from the columns of the tables it is joined with.
      authorId: sql<number>`${articlesTable.authorId}`.as('published_author'),
      // sql: as above.
      articles: sql<number>`${count()}`.as('published_articles'),
    })
    .from(articlesTable)
    .groupBy(articlesTable.authorId)
    .as('published');
}

/**
 * Readers whose feed total differs from the articles of everyone they follow. A full join: a
 * reader with articles to count and no row is as wrong as a row with the wrong number.
 */
function feedTotalsOff(db: Database): PromiseLike<{ n: number }[]> {
  const published = articlesByAuthor(db);
  const counted = db
    .select({
      // sql: named apart from feed_totals' columns, which the join sees unqualified.
      readerId: sql<number>`${followsTable.followerId}`.as('counted_reader'),
      n: sum(published.articles).as('counted_n'),
    })
    .from(followsTable)
    .innerJoin(published, eq(published.authorId, followsTable.followeeId))
    // sql: GROUP BY the first output column, the reader.
    .groupBy(sql`1`)
    .as('counted');
  return db
    .select({ n: count() })
    .from(counted)
    .fullJoin(feedTotalsTable, eq(feedTotalsTable.userId, counted.readerId))
    .where(
      // sql: a missing side counts as zero.
      sql`coalesce(${feedTotalsTable.articles}, 0) <> coalesce(${counted.n}, 0)`,
    );
}

async function rowsOff(query: PromiseLike<{ n: number }[]>): Promise<number> {
  const [row] = await query;
  return row?.n ?? 0;
}

/**
 * Compares every column of the read projection (spec.md §3.1: the counters and copies the reads
 * rely on) with the write-model rows it summarises. The writes keep it exact in their
 * transactions; this is the check the seeder, the tests and `npm run projections:rebuild` run, so
 * drift is found by a check rather than by a reader.
 */
export function projectionDrift(database: Database): Promise<ProjectionDrift[]> {
  // One snapshot for every check, so writes landing meanwhile can't look like drift.
  return transaction(database, (db) => driftIn(db), {
    isolationLevel: 'repeatable read',
    accessMode: 'read only',
  });
}

async function driftIn(db: Database): Promise<ProjectionDrift[]> {
  // sql: the shard an article counts in, the same expression the writes use.
  const shard = sql<number>`${articlesTable.id} % ${ARTICLE_TOTAL_SHARDS}`;
  const checks: [string, PromiseLike<{ n: number }[]>][] = [
    [
      'articles.favorites_count',
      counterOff(
        db,
        articlesTable,
        articlesTable.id,
        articlesTable.favoritesCount,
        favoritesTable,
        favoritesTable.articleId,
      ),
    ],
    [
      'users.articles_count',
      counterOff(
        db,
        usersTable,
        usersTable.id,
        usersTable.articlesCount,
        articlesTable,
        articlesTable.authorId,
      ),
    ],
    [
      'users.favorites_count',
      counterOff(
        db,
        usersTable,
        usersTable.id,
        usersTable.favoritesCount,
        favoritesTable,
        favoritesTable.userId,
      ),
    ],
    ['feed_totals.articles', feedTotalsOff(db)],
    [
      'tags.articles_count',
      counterOff(
        db,
        tagsTable,
        tagsTable.id,
        tagsTable.articlesCount,
        articleTagsTable,
        articleTagsTable.tagId,
      ),
    ],
    [
      'article_totals.articles',
      counterOff(
        db,
        articleTotalsTable,
        articleTotalsTable.shard,
        articleTotalsTable.articles,
        articlesTable,
        shard,
      ),
    ],
    [
      'articles.tag_list',
      db
        .select({ n: count() })
        .from(articlesTable)
        .where(ne(articlesTable.tagList, tagListOf(db, articlesTable.id))),
    ],
    [
      'article_tags.article_created_at',
      db
        .select({ n: count() })
        .from(articleTagsTable)
        .innerJoin(articlesTable, eq(articlesTable.id, articleTagsTable.articleId))
        .where(ne(articleTagsTable.articleCreatedAt, articlesTable.createdAt)),
    ],
    [
      'favorites.article_created_at',
      db
        .select({ n: count() })
        .from(favoritesTable)
        .innerJoin(articlesTable, eq(articlesTable.id, favoritesTable.articleId))
        .where(ne(favoritesTable.articleCreatedAt, articlesTable.createdAt)),
    ],
  ];
  // One after another: they share the transaction's one connection.
  const drift: ProjectionDrift[] = [];
  for (const [column, query] of checks) drift.push({ column, rowsOff: await rowsOff(query) });
  return drift;
}
