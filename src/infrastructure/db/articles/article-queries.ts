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
  readonly id: number;
  readonly slug: string;
  readonly title: string;
  readonly description: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly favoritesCount: number;
  readonly favorited: boolean;
  readonly author: ProfileRow;
}

export function createArticleQueries(db: Database): ArticleQueries {
  /** The article card columns as `viewer` sees them; every article read selects these. */
  function cardColumns(viewer: Viewer) {
    return {
      id: articlesTable.id,
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
      author: profileColumns(db, viewer),
    };
  }

  /** Tags of all `articleIds` in one query, each list sorted by name. */
  async function tagsOf(articleIds: readonly number[]): Promise<Map<number, string[]>> {
    const byArticle = new Map<number, string[]>();
    if (articleIds.length === 0) return byArticle;
    const rows = await db
      .select({ articleId: articleTagsTable.articleId, name: tagsTable.name })
      .from(articleTagsTable)
      .innerJoin(tagsTable, eq(tagsTable.id, articleTagsTable.tagId))
      .where(inArray(articleTagsTable.articleId, [...articleIds]))
      .orderBy(asc(tagsTable.name));
    for (const row of rows) {
      const tags = byArticle.get(row.articleId);
      if (tags === undefined) byArticle.set(row.articleId, [row.name]);
      else tags.push(row.name);
    }
    return byArticle;
  }

  function toCard(row: CardRow, tags: Map<number, string[]>): ArticleCard {
    const { id, author, slug, ...rest } = row;
    return {
      ...rest,
      slug: slug as Slug,
      tagList: tags.get(id) ?? [],
      author: toProfileView(author),
    };
  }

  /**
   * Count and one page of the articles matching `where` (a condition on `articlesTable` only),
   * newest first: three queries in all. The page's ids are chosen first and only those rows are
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
    const tags = await tagsOf(rows.map((row) => row.id));
    return { articles: rows.map((row) => toCard(row, tags)), articlesCount: total?.count ?? 0 };
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
      const tags = await tagsOf([row.id]);
      return { ...toCard(row, tags), body: row.body };
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
