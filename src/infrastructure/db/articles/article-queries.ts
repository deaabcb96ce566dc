import { and, asc, count, desc, eq, exists, inArray, sql, type SQL } from 'drizzle-orm';
import type { ArticleCard, ArticleList } from '../../../domain/articles/article.js';
import type { ArticleFilter, ArticleQueries } from '../../../domain/articles/ports.js';
import type { Slug } from '../../../domain/shared/slug.js';
import type { UserId, Viewer } from '../../../domain/shared/ids.js';
import type { Page } from '../../../domain/shared/pagination.js';
import type { Database } from '../database.js';
import { articlesTable, articleTagsTable, favoritesTable, tagsTable } from '../schema/articles.js';
import { usersTable } from '../schema/identity.js';
import { followsTable } from '../schema/profiles.js';
import { profileColumns, toProfileView, type ProfileRow } from '../profiles/profile-projection.js';

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

export function createArticleQueries(db: Database): ArticleQueries {
  /** The article card columns as `viewer` sees them; every article read selects these. */
  function cardColumns(viewer: Viewer) {
    return {
      slug: articlesTable.slug,
      title: articlesTable.title,
      description: articlesTable.description,
      createdAt: articlesTable.createdAt,
      updatedAt: articlesTable.updatedAt,
      favoritesCount: articlesTable.favoritesCount,
      favorited:
        viewer === undefined
          ? // sql: a constant, so an anonymous request asks the database nothing about favorites.
            sql<boolean>`false`
          : exists(
              db
                .select({ userId: favoritesTable.userId })
                .from(favoritesTable)
                .where(
                  and(
                    eq(favoritesTable.userId, viewer),
                    eq(favoritesTable.articleId, articlesTable.id),
                  ),
                ),
            ).mapWith(Boolean),
      // sql: an ARRAY(subquery): the tags come with their article in the same statement, sorted.
      tagList: sql<string[]>`array(${db
        .select({ name: tagsTable.name })
        .from(articleTagsTable)
        .innerJoin(tagsTable, eq(tagsTable.id, articleTagsTable.tagId))
        .where(eq(articleTagsTable.articleId, articlesTable.id))
        .orderBy(asc(tagsTable.name))})`,
      author: profileColumns(db, viewer),
    };
  }

  function toCard(row: CardRow): ArticleCard {
    const { author, slug, ...rest } = row;
    return { ...rest, slug: slug as Slug, author: toProfileView(author) };
  }

  /**
   * Count and one page of the articles matching `where` (a condition on `articlesTable` only),
   * newest first: two statements, run at once. The page's ids are chosen first and only those rows are
   * decorated, so the author join and the viewer's flags never run for rows an offset skips.
   */
  async function page(
    where: SQL | undefined,
    { limit, offset }: Page,
    viewer: Viewer,
  ): Promise<ArticleList> {
    const newestFirst = [desc(articlesTable.createdAt), desc(articlesTable.id)];
    const pageIds = db
      .select({ id: articlesTable.id })
      .from(articlesTable)
      .where(where)
      .orderBy(...newestFirst)
      .limit(limit)
      .offset(offset)
      .as('page');
    // Two connections when pooled: the total may be a moment newer than the page.
    const [rows, [total]] = await Promise.all([
      db
        .select(cardColumns(viewer))
        .from(pageIds)
        .innerJoin(articlesTable, eq(articlesTable.id, pageIds.id))
        .innerJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
        .orderBy(...newestFirst),
      db.select({ count: count() }).from(articlesTable).where(where),
    ]);
    return { articles: rows.map(toCard), articlesCount: total?.count ?? 0 };
  }

  /** The id of the user named `username`, as a scalar subquery (at most one: usernames are unique). */
  function userIdOf(username: string) {
    return db
      .select({ id: usersTable.id })
      .from(usersTable)
      .where(eq(usersTable.username, username));
  }

  function filterBy(filter: ArticleFilter): SQL | undefined {
    return and(
      filter.author === undefined ? undefined : eq(articlesTable.authorId, userIdOf(filter.author)),
      filter.tag === undefined
        ? undefined
        : inArray(
            articlesTable.id,
            db
              .select({ articleId: articleTagsTable.articleId })
              .from(articleTagsTable)
              .innerJoin(tagsTable, eq(tagsTable.id, articleTagsTable.tagId))
              .where(eq(tagsTable.name, filter.tag)),
          ),
      filter.favoritedBy === undefined
        ? undefined
        : inArray(
            articlesTable.id,
            db
              .select({ articleId: favoritesTable.articleId })
              .from(favoritesTable)
              .where(eq(favoritesTable.userId, userIdOf(filter.favoritedBy))),
          ),
    );
  }

  return {
    async findBySlug(slug, viewer) {
      const [row] = await db
        .select({ ...cardColumns(viewer), body: articlesTable.body })
        .from(articlesTable)
        .innerJoin(usersTable, eq(usersTable.id, articlesTable.authorId))
        .where(eq(articlesTable.slug, slug));
      if (row === undefined) return undefined;
      return { ...toCard(row), body: row.body };
    },

    list(filter, pageRequest, viewer) {
      return page(filterBy(filter), pageRequest, viewer);
    },

    feed(reader: UserId, pageRequest) {
      const followed = db
        .select({ followeeId: followsTable.followeeId })
        .from(followsTable)
        .where(eq(followsTable.followerId, reader));
      return page(inArray(articlesTable.authorId, followed), pageRequest, reader);
    },

    async tags() {
      const rows = await db
        .select({ name: tagsTable.name })
        .from(tagsTable)
        .where(
          exists(
            db
              .select({ tagId: articleTagsTable.tagId })
              .from(articleTagsTable)
              .where(eq(articleTagsTable.tagId, tagsTable.id)),
          ),
        )
        .orderBy(asc(tagsTable.name));
      return rows.map((row) => row.name);
    },
  };
}
