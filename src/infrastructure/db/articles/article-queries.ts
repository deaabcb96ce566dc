import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  inArray,
  not,
  sql,
  sum,
  type Placeholder,
  type SQL,
} from 'drizzle-orm';
import type { AnyPgColumn, PgSelect } from 'drizzle-orm/pg-core';
import type { ArticleCard, ArticleList } from '../../../domain/articles/article.js';
import type { ArticleFilter, ArticleQueries } from '../../../domain/articles/ports.js';
import type { Slug } from '../../../domain/shared/slug.js';
import type { ArticleId, UserId, Viewer } from '../../../domain/shared/ids.js';
import type { Page } from '../../../domain/shared/pagination.js';
import type { Database } from '../database.js';
import { hasRow, PAGE_CAP, PAGE_REACH, unplanned } from '../generic-plans.js';
import { prepared, type Bindings } from '../prepared.js';
import { executorFor } from '../unit-of-work.js';
import {
  articlesTable,
  articleTagsTable,
  articleTotalsTable,
  favoritesTable,
  tagsTable,
} from '../schema/articles.js';
import { usersTable } from '../schema/identity.js';
import { feedTotalsTable, followsTable } from '../schema/profiles.js';
import {
  followedBy,
  followRow,
  profileColumns,
  toProfileView,
  type ProfileRow,
  type Reader,
} from '../profiles/profile-projection.js';

/** Who a prepared statement is for: no viewer flags, or the flags of the bound `viewer`. */
type Audience = 'anonymous' | 'reader';

/** Lists with their own index and counter; several filters at once fall back to a scan. */
export type ListKind = 'all' | 'author' | 'tag' | 'favorited' | 'feed';

/**
 * The names of a list's prepared statements: its page for an audience, and its total alone.
 * The bench's bare reads run them by these names, without Keel (bench/ceilings/bare-reads.ts).
 */
export const statementNames = {
  page: (kind: ListKind, audience: Audience): string => `articles_page_${kind}_${audience}`,
  refs: (kind: ListKind, audience: Audience): string => `articles_refs_${kind}_${audience}`,
  total: (kind: ListKind): string => `articles_total_${kind}`,
};

/** The placeholders the prepared statements bind on every call. */
const viewerId = sql.placeholder('viewer');
const pageLimit = sql.placeholder('limit');
const pageOffset = sql.placeholder('offset');
const filterValue = sql.placeholder('filter');

/** The placeholder of `cards`: the slugs whose cards it reads. */
const cardSlugs = sql.placeholder('slugs');

/** A list's article ids with their sort key (`createdAt`, then `id`), newest first. */
type PageIds = PgSelect<string, { id: AnyPgColumn; createdAt: AnyPgColumn }, 'partial'>;

interface CardRow {
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly favoritesCount: number;
  readonly favorited: boolean;
  readonly tagList: string[];
  readonly author: ProfileRow;
}

/** An article of a list page and the flags its viewer sees on its card. */
export interface CardRef {
  /** Which article: a slug freed by a delete may name another one a moment later. */
  readonly id: ArticleId;
  readonly slug: Slug;
  readonly favorited: boolean;
  /** Whether the viewer follows the article's author. */
  readonly following: boolean;
}

/** A list page named by its articles, for cards kept elsewhere (cache/cached-queries.ts). */
export interface RefPage {
  readonly refs: CardRef[];
  readonly articlesCount: number;
}

/**
 * The reads behind lists of cards kept in memory: the pages name their articles and carry the
 * viewer's flags; the cards, the same for every viewer, are read apart.
 */
export interface CardReads {
  /** `undefined` for several filters at once, which are read whole (`list`). */
  listRefs(filter: ArticleFilter, page: Page, viewer: Viewer): Promise<RefPage | undefined>;
  feedRefs(reader: UserId, page: Page): Promise<RefPage>;
  /** The anonymous cards of the articles of `slugs` that exist, by slug. */
  cards(slugs: readonly string[]): Promise<Map<string, CachedCard>>;
}

export type ArticleReads = ArticleQueries & CardReads;

/** An anonymous card with the id of its article, which tells it from a later one of its slug. */
export interface CachedCard {
  readonly id: ArticleId;
  readonly card: ArticleCard;
}

/** The list a filter names: one with its own index and counter, or several filters at once. */
type ListOf =
  { readonly kind: Exclude<ListKind, 'feed'>; readonly filter: string | undefined } | 'combined';

function listOf(filter: ArticleFilter): ListOf {
  const { author, tag, favoritedBy } = filter;
  const given = [author, tag, favoritedBy].filter((value) => value !== undefined);
  if (given.length > 1) return 'combined';
  if (author !== undefined) return { kind: 'author', filter: author };
  if (tag !== undefined) return { kind: 'tag', filter: tag };
  if (favoritedBy !== undefined) return { kind: 'favorited', filter: favoritedBy };
  return { kind: 'all', filter: undefined };
}

/** A list's statement for each audience. */
interface ForBoth<S> {
  readonly anonymous: S;
  readonly reader: S;
}

/** A statement for each list kind and audience; the feed's for its reader only. */
interface EveryList<S> {
  readonly all: ForBoth<S>;
  readonly author: ForBoth<S>;
  readonly tag: ForBoth<S>;
  readonly favorited: ForBoth<S>;
  readonly feed: S;
}

/**
 * `statement` for each list kind and audience; the feed's for its reader only (the route
 * requires a token).
 */
function everyList<S>(statement: (kind: ListKind, audience: Audience) => S): EveryList<S> {
  const forBoth = (kind: ListKind): ForBoth<S> => ({
    anonymous: statement(kind, 'anonymous'),
    reader: statement(kind, 'reader'),
  });
  return {
    all: forBoth('all'),
    author: forBoth('author'),
    tag: forBoth('tag'),
    favorited: forBoth('favorited'),
    feed: statement('feed', 'reader'),
  };
}

/**
 * Article reads on `database`. The hot ones are prepared statements (prepared.ts), one per list
 * kind and audience, built when Keel starts; each runs on `executorFor(database)`, which joins
 * an open unit of work (unit-of-work.ts).
 */
export function createArticleQueries(database: Database): ArticleReads {
  /** Whether `reader` favorited the article of `articlesTable`'s row. */
  function favoritedByReader(reader: Reader): SQL<boolean> {
    // sql: a constant, so an anonymous request asks the database nothing about favorites.
    if (reader === undefined) return sql<boolean>`false`;
    return hasRow(
      database
        .select({ userId: favoritesTable.userId })
        .from(favoritesTable)
        .where(
          and(eq(favoritesTable.userId, reader), eq(favoritesTable.articleId, articlesTable.id)),
        ),
    );
  }

  /** The article card columns as `reader` sees them; every article read selects these. */
  function cardColumns(reader: Reader) {
    return {
      slug: articlesTable.slug,
      title: articlesTable.title,
      description: articlesTable.description,
      createdAt: articlesTable.createdAt,
      updatedAt: articlesTable.updatedAt,
      favoritesCount: articlesTable.favoritesCount,
      favorited: favoritedByReader(reader),
      // sql: the tags as a JSON array, which both drivers read with JSON.parse: four times
      // faster than reading a PostgreSQL array literal in JavaScript (docs/performance.md).
      tagList: sql<string[]>`to_json(${articlesTable.tagList})`,
      author: profileColumns(database, reader),
    };
  }

  const readerOf = (audience: Audience): Reader => (audience === 'reader' ? viewerId : undefined);
  const audienceOf = (viewer: Viewer): Audience => (viewer === undefined ? 'anonymous' : 'reader');

  /** The card of `row`, field by field: the row's other columns (a page's total) stay out. */
  function toCard(row: CardRow): ArticleCard {
    return {
      slug: row.slug as Slug,
      title: row.title,
      description: row.description,
      tagList: row.tagList,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      favorited: row.favorited,
      favoritesCount: row.favoritesCount,
      author: toProfileView(row.author),
    };
  }

  /** The id of the user named `username`, as a scalar subquery (at most one: usernames are unique). */
  function userIdOf(username: string | Placeholder) {
    return database
      .select({ id: usersTable.id })
      .from(usersTable)
      .where(eq(usersTable.username, username));
  }

  const newestFirst = [desc(articlesTable.createdAt), desc(articlesTable.id)];

  /** Articles matching `where` (a condition on `articlesTable`), newest first. */
  function articleIds(where: SQL | undefined) {
    return database
      .select({ id: articlesTable.id, createdAt: articlesTable.createdAt })
      .from(articlesTable)
      .where(where)
      .orderBy(...newestFirst)
      .$dynamic();
  }

  /** The feed's reader, hidden from the planner like the page bounds (generic-plans.ts). */
  const feedReader = unplanned(viewerId);

  /**
   * The feed's ids, newest first, read one of two ways that are both in the one plan PostgreSQL
   * keeps; the reader's feed total picks one when the statement runs (a condition on no row,
   * which PostgreSQL evaluates in each branch before reading any row, and skips the other's scan):
   * - `walk`, for a dense feed: the newest articles in order, keeping those by followed authors,
   *   until the page is full; it reads about (offset + 100) × all articles / the feed's;
   * - `gather`, for a sparse one: every article of every followed author, then sorted; it reads
   *   the feed's articles.
   * So the walk wins when feed² ≥ (offset + 100) × all. Each way stops at the deepest page's end
   * (`PAGE_REACH`), which is what makes the walk a lazy, ordered scan in the plan. Planned per
   * reader instead, as it was, the heaviest reader's page at size M took 1.4 ms to plan and the
   * generic plan takes 0.6 ms to run (docs/performance.md).
   */
  function feedIds() {
    const feedSize = database
      .select({ n: feedTotalsTable.articles })
      .from(feedTotalsTable)
      .where(eq(feedTotalsTable.userId, feedReader));
    const everyArticle = database
      .select({ n: sum(articleTotalsTable.articles) })
      .from(articleTotalsTable);
    // sql: the cost model above, on the counters; it names no row, so it is evaluated once.
    const dense = sql`(coalesce((${feedSize}), 0)::float8 ^ 2 >= (${unplanned(pageOffset)} + ${PAGE_CAP}) * coalesce((${everyArticle}), 0))`;
    // The reader's follow of an article's author, as a lateral subquery: the plan probes it for
    // each article in order and keeps each author's answer (Memoize). Its `limit 1` (the key
    // allows one row anyway) keeps PostgreSQL from pulling it up into a plain join, which a
    // generic plan, sizing the reader by the average, would read by gathering and sorting.
    const followed = followRow(database, feedReader, articlesTable.authorId)
      .limit(1)
      .as('followed');
    const walk = articleIds(dense)
      // sql: the lateral row is the condition; the join itself has none.
      .innerJoinLateral(followed, sql`true`)
      .limit(PAGE_REACH);
    const gather = articleIds(
      and(
        not(dense),
        inArray(
          articlesTable.authorId,
          database
            .select({ followeeId: followsTable.followeeId })
            .from(followsTable)
            .where(eq(followsTable.followerId, feedReader)),
        ),
      ),
    ).limit(PAGE_REACH);
    return walk
      .unionAll(gather)
      .orderBy(...newestFirst)
      .$dynamic();
  }

  /**
   * Each list kind's ids and sort key, newest first, from the index that holds them in that
   * order; built afresh on every call, since Drizzle's builders change in place (`limit`).
   */
  const idsOf: Readonly<Record<ListKind, () => PageIds>> = {
    all: () => articleIds(undefined),
    author: () => articleIds(eq(articlesTable.authorId, userIdOf(filterValue))),
    tag: () =>
      database
        .select({ id: articleTagsTable.articleId, createdAt: articleTagsTable.articleCreatedAt })
        .from(articleTagsTable)
        .where(
          eq(
            articleTagsTable.tagId,
            database
              .select({ id: tagsTable.id })
              .from(tagsTable)
              .where(eq(tagsTable.name, filterValue)),
          ),
        )
        .orderBy(desc(articleTagsTable.articleCreatedAt), desc(articleTagsTable.articleId))
        .$dynamic(),
    favorited: () =>
      database
        .select({ id: favoritesTable.articleId, createdAt: favoritesTable.articleCreatedAt })
        .from(favoritesTable)
        .where(eq(favoritesTable.userId, userIdOf(filterValue)))
        .orderBy(desc(favoritesTable.articleCreatedAt), desc(favoritesTable.articleId))
        .$dynamic(),
    feed: feedIds,
  };

  /** The list's total as a scalar subquery on the counters the writes keep (spec.md §3). */
  function totalOf(kind: ListKind): SQL<number | null> {
    const counter = (() => {
      switch (kind) {
        case 'all':
          return database.select({ n: sum(articleTotalsTable.articles) }).from(articleTotalsTable);
        case 'author':
          return database
            .select({ n: usersTable.articlesCount })
            .from(usersTable)
            .where(eq(usersTable.username, filterValue));
        case 'tag':
          return database
            .select({ n: tagsTable.articlesCount })
            .from(tagsTable)
            .where(eq(tagsTable.name, filterValue));
        case 'favorited':
          return database
            .select({ n: usersTable.favoritesCount })
            .from(usersTable)
            .where(eq(usersTable.username, filterValue));
        case 'feed':
          // Kept by follows and by the followed authors' publishes and deletes (fan-out).
          return database
            .select({ n: feedTotalsTable.articles })
            .from(feedTotalsTable)
            .where(eq(feedTotalsTable.userId, feedReader));
      }
    })();
    // sql: a scalar subquery, which PostgreSQL evaluates once for the statement.
    return sql<number | null>`(${counter})`.mapWith(Number);
  }

  /**
   * One page of `ids` as `reader` sees it, each row carrying the list's total: a page and its
   * total in one round trip. Only the page's rows are joined and decorated. The ids come capped
   * at the largest page, a constant, so every plan is sized for at most that many rows; the
   * page's own limit is applied on top, in the ids' order.
   */
  function pageOf(
    db: Database,
    ids: PageIds,
    reader: Reader,
    total: SQL<number | null>,
    bounds: { readonly limit: number | Placeholder; readonly offset: number | Placeholder },
  ) {
    const page = ids.limit(PAGE_CAP).offset(bounds.offset).as('page');
    return db
      .select({ ...cardColumns(reader), total })
      .from(page)
      .innerJoin(articlesTable, eq(articlesTable.id, page.id))
      .innerJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
      .orderBy(desc(page.createdAt), desc(page.id))
      .limit(bounds.limit);
  }

  /**
   * The same page as references: each article's slug and `reader`'s flags, with the total. It
   * reads the page's articles and the flags' probes, not their authors nor their cards' columns.
   */
  function refsOf(db: Database, ids: PageIds, reader: Reader, total: SQL<number | null>) {
    const page = ids.limit(PAGE_CAP).offset(unplanned(pageOffset)).as('page');
    return db
      .select({
        id: articlesTable.id,
        slug: articlesTable.slug,
        favorited: favoritedByReader(reader),
        following: followedBy(db, reader, articlesTable.authorId),
        total,
      })
      .from(page)
      .innerJoin(articlesTable, eq(articlesTable.id, page.id))
      .orderBy(desc(page.createdAt), desc(page.id))
      .limit(unplanned(pageLimit));
  }

  /**
   * A prepared page statement per list kind and audience, each planned once (generic-plans.ts);
   * the feed's reader is hidden from the planner too (feedIds).
   */
  const pageStatement = (kind: ListKind, audience: Audience) =>
    prepared(database, statementNames.page(kind, audience), (db) =>
      pageOf(db, idsOf[kind](), kind === 'feed' ? feedReader : readerOf(audience), totalOf(kind), {
        limit: unplanned(pageLimit),
        offset: unplanned(pageOffset),
      }),
    );
  const pages = everyList(pageStatement);

  /** A prepared references statement per list kind and audience, planned as the pages are. */
  const refsStatement = (kind: ListKind, audience: Audience) =>
    prepared(database, statementNames.refs(kind, audience), (db) =>
      refsOf(db, idsOf[kind](), kind === 'feed' ? feedReader : readerOf(audience), totalOf(kind)),
    );
  const refs = everyList(refsStatement);

  const cardsBySlug = prepared(database, 'article_cards_by_slug', (db) =>
    db
      .select({ id: articlesTable.id, ...cardColumns(undefined) })
      .from(articlesTable)
      .innerJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
      // sql: one array parameter, so one statement serves any number of slugs.
      .where(sql`${articlesTable.slug} = any(${cardSlugs})`),
  );

  /** The total alone, for a page past the end, which has no row to carry it. */
  const totalAlone = (kind: ListKind) =>
    prepared(database, statementNames.total(kind), (db) =>
      // sql: a one-row FROM for a statement that is only its scalar subquery.
      db.select({ total: totalOf(kind) }).from(sql`(select 1) as one`),
    );
  const totals = {
    all: totalAlone('all'),
    author: totalAlone('author'),
    tag: totalAlone('tag'),
    favorited: totalAlone('favorited'),
    feed: totalAlone('feed'),
  };

  /**
   * One page of a list from `statements` (its whole cards or its references) and its total: on
   * its first row, or read alone for a page past the end, which has no row to carry it.
   */
  async function readPage<Row extends { readonly total: number | null }>(
    statements: EveryList<(bindings: Bindings) => Promise<Row[]>>,
    kind: ListKind,
    filter: string | undefined,
    { limit, offset }: Page,
    viewer: Viewer,
  ): Promise<{ rows: Row[]; total: number }> {
    const bindings = { viewer, limit, offset, filter };
    // The feed has no anonymous reader (the route requires a token).
    const rows = await (kind === 'feed' ? statements.feed : statements[kind][audienceOf(viewer)])(
      bindings,
    );
    return { rows, total: rows[0]?.total ?? (await totals[kind](bindings))[0]?.total ?? 0 };
  }

  /** One page of a list and its total, in one statement unless the page is past the end. */
  async function list(
    kind: ListKind,
    filter: string | undefined,
    page: Page,
    viewer: Viewer,
  ): Promise<ArticleList> {
    const { rows, total } = await readPage(pages, kind, filter, page, viewer);
    return { articles: rows.map(toCard), articlesCount: total };
  }

  /** `list`'s page as references. */
  async function refPage(
    kind: ListKind,
    filter: string | undefined,
    page: Page,
    viewer: Viewer,
  ): Promise<RefPage> {
    const { rows, total } = await readPage(refs, kind, filter, page, viewer);
    return {
      refs: rows.map(({ id, slug, favorited, following }) => ({
        id: id as ArticleId,
        slug: slug as Slug,
        favorited,
        following,
      })),
      articlesCount: total,
    };
  }

  /** Several filters at once are rare: the articles of each, intersected, and counted. */
  async function combined(
    filter: ArticleFilter,
    { limit, offset }: Page,
    viewer: Viewer,
  ): Promise<ArticleList> {
    const { author, tag, favoritedBy } = filter;
    const where = and(
      author === undefined ? undefined : eq(articlesTable.authorId, userIdOf(author)),
      tag === undefined
        ? undefined
        : inArray(
            articlesTable.id,
            database
              .select({ articleId: articleTagsTable.articleId })
              .from(articleTagsTable)
              .innerJoin(tagsTable, eq(tagsTable.id, articleTagsTable.tagId))
              .where(eq(tagsTable.name, tag)),
          ),
      favoritedBy === undefined
        ? undefined
        : inArray(
            articlesTable.id,
            database
              .select({ articleId: favoritesTable.articleId })
              .from(favoritesTable)
              .where(eq(favoritesTable.userId, userIdOf(favoritedBy))),
          ),
    );
    const db = executorFor(database);
    const counted = db.select({ count: count() }).from(articlesTable).where(where);
    // sql: the count as a scalar subquery, so a page carries its total as the others do.
    const total = sql<number | null>`(${counted})`.mapWith(Number);
    const rows = await pageOf(db, articleIds(where), viewer, total, { limit, offset });
    const articlesCount = rows[0]?.total ?? (await counted)[0]?.count;
    return { articles: rows.map(toCard), articlesCount: articlesCount ?? 0 };
  }

  const bySlugFor = (audience: Audience) =>
    prepared(database, `article_by_slug_${audience}`, (db) =>
      db
        .select({ ...cardColumns(readerOf(audience)), body: articlesTable.body })
        .from(articlesTable)
        .innerJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
        .where(eq(articlesTable.slug, sql.placeholder('slug'))),
    );
  const bySlug = { anonymous: bySlugFor('anonymous'), reader: bySlugFor('reader') };

  const tagsInUse = prepared(database, 'tags_in_use', (db) =>
    db
      .select({ name: tagsTable.name })
      .from(tagsTable)
      .where(gt(tagsTable.articlesCount, 0))
      .orderBy(asc(tagsTable.name)),
  );

  return {
    async findBySlug(slug, viewer) {
      const [row] = await bySlug[audienceOf(viewer)]({ slug, viewer });
      if (row === undefined) return undefined;
      return { ...toCard(row), body: row.body };
    },

    list(filter, page, viewer) {
      const named = listOf(filter);
      if (named === 'combined') return combined(filter, page, viewer);
      return list(named.kind, named.filter, page, viewer);
    },

    feed(reader: UserId, page) {
      return list('feed', undefined, page, reader);
    },

    async listRefs(filter, page, viewer) {
      const named = listOf(filter);
      if (named === 'combined') return undefined;
      return refPage(named.kind, named.filter, page, viewer);
    },

    feedRefs(reader, page) {
      return refPage('feed', undefined, page, reader);
    },

    async cards(slugs) {
      const rows = await cardsBySlug({ slugs });
      return new Map(rows.map((row) => [row.slug, { id: row.id as ArticleId, card: toCard(row) }]));
    },

    async tags() {
      const rows = await tagsInUse({});
      return rows.map((row) => row.name);
    },
  };
}
