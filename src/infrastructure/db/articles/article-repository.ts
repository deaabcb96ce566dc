import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ArticleRepository } from '../../../domain/articles/ports.js';
import type { Slug } from '../../../domain/shared/slug.js';
import type { ArticleId, UserId } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { articlesTable, articleTagsTable, favoritesTable, tagsTable } from '../schema/articles.js';

export function createArticleRepository(db: Database): ArticleRepository {
  async function adjustFavoritesCount(id: ArticleId, delta: 1 | -1): Promise<void> {
    await db
      .update(articlesTable)
      // sql: an in-place increment, correct whatever other transactions did before us.
      .set({ favoritesCount: sql`${articlesTable.favoritesCount} + ${delta}` })
      .where(eq(articlesTable.id, id));
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
      return row?.id as ArticleId | undefined;
    },

    async update(id, changes) {
      await db
        .update(articlesTable)
        // sql: the database clock, so every instance stamps changes from one source of time.
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(articlesTable.id, id));
    },

    async setTags(id, tags) {
      await db.delete(articleTagsTable).where(eq(articleTagsTable.articleId, id));
      if (tags.length === 0) return;
      await db
        .insert(tagsTable)
        // Sorted, so concurrent publishes sharing new tags take their locks in one order and
        // can't deadlock.
        .values([...tags].sort().map((name) => ({ name })))
        .onConflictDoNothing({ target: tagsTable.name });
      const rows = await db
        .select({ id: tagsTable.id })
        .from(tagsTable)
        .where(inArray(tagsTable.name, [...tags]));
      await db
        .insert(articleTagsTable)
        .values(rows.map((row) => ({ articleId: id, tagId: row.id })));
    },

    async remove(id) {
      // Tag links, favorites and comments go with it (ON DELETE CASCADE), in this statement.
      await db.delete(articlesTable).where(eq(articlesTable.id, id));
    },

    async addFavorite(id, userId) {
      const inserted = await db
        .insert(favoritesTable)
        .values({ articleId: id, userId })
        .onConflictDoNothing()
        .returning({ userId: favoritesTable.userId });
      if (inserted.length > 0) await adjustFavoritesCount(id, 1);
    },

    async removeFavorite(id, userId) {
      const deleted = await db
        .delete(favoritesTable)
        .where(and(eq(favoritesTable.articleId, id), eq(favoritesTable.userId, userId)))
        .returning({ userId: favoritesTable.userId });
      if (deleted.length > 0) await adjustFavoritesCount(id, -1);
    },
  };
}
