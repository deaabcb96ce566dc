import { and, eq, sql } from 'drizzle-orm';
import type { CommentRepository } from '../../../domain/comments/ports.js';
import { NotFoundError } from '../../../domain/shared/errors.js';
import type { ArticleId, CommentId, UserId } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { prepared } from '../prepared.js';
import { executorFor } from '../unit-of-work.js';
import { foreignKeyViolation } from '../pg-errors.js';
import { articlesTable } from '../schema/articles.js';
import { commentsTable } from '../schema/comments.js';

export function createCommentRepository(database: Database): CommentRepository {
  // Every comment read and write starts here, so prepared once (prepared.ts).
  const articleIdOf = prepared(database, 'article_id_by_slug', (db) =>
    db
      .select({ id: articlesTable.id })
      .from(articlesTable)
      .where(eq(articlesTable.slug, sql.placeholder('slug'))),
  );

  return {
    async findArticleId(slug) {
      const [row] = await articleIdOf({ slug });
      return row?.id as ArticleId | undefined;
    },

    async findAuthorId(articleId, commentId) {
      const [row] = await executorFor(database)
        .select({ authorId: commentsTable.authorId })
        .from(commentsTable)
        .where(and(eq(commentsTable.id, commentId), eq(commentsTable.articleId, articleId)));
      return row?.authorId as UserId | undefined;
    },

    async insert(articleId, authorId, body) {
      try {
        const [row] = await executorFor(database)
          .insert(commentsTable)
          .values({ articleId, authorId, body })
          .returning({ id: commentsTable.id });
        if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
        return row.id as CommentId;
      } catch (error) {
        // The article was deleted between our lookup and this insert.
        if (foreignKeyViolation(error) === 'comments_article_id_articles_id_fk') {
          throw new NotFoundError('article');
        }
        throw error;
      }
    },

    async remove(commentId) {
      const deleted = await executorFor(database)
        .delete(commentsTable)
        .where(eq(commentsTable.id, commentId))
        .returning({ id: commentsTable.id });
      return deleted.length > 0;
    },
  };
}
