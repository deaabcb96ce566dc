import { desc, eq, sql } from 'drizzle-orm';
import type { CommentView } from '../../../domain/comments/comment.js';
import type { CommentQueries } from '../../../domain/comments/ports.js';
import type { CommentId, Viewer } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { prepared, type Bindings } from '../prepared.js';
import { usersTable } from '../schema/identity.js';
import { commentsTable } from '../schema/comments.js';
import { profileColumns, toProfileView, type Reader } from '../profiles/profile-projection.js';

/** Which comments a statement reads: all of an article's, or one by id. */
type Selector = 'article' | 'comment';

export function createCommentQueries(database: Database): CommentQueries {
  /** Comments with their authors as `reader` sees them, newest first; prepared (prepared.ts). */
  const statementFor = (selector: Selector, reader: Reader) =>
    prepared(
      database,
      `comments_by_${selector}_${reader === undefined ? 'anonymous' : 'reader'}`,
      (db) =>
        db
          .select({
            id: commentsTable.id,
            createdAt: commentsTable.createdAt,
            updatedAt: commentsTable.updatedAt,
            body: commentsTable.body,
            author: profileColumns(database, reader),
          })
          .from(commentsTable)
          .innerJoin(usersTable, eq(usersTable.id, commentsTable.authorId))
          .where(
            eq(
              selector === 'article' ? commentsTable.articleId : commentsTable.id,
              sql.placeholder(selector),
            ),
          )
          .orderBy(desc(commentsTable.createdAt), desc(commentsTable.id)),
    );
  const statements = {
    article: {
      anonymous: statementFor('article', undefined),
      reader: statementFor('article', sql.placeholder('viewer')),
    },
    comment: {
      anonymous: statementFor('comment', undefined),
      reader: statementFor('comment', sql.placeholder('viewer')),
    },
  };

  async function select(
    selector: Selector,
    bindings: Bindings,
    viewer: Viewer,
  ): Promise<CommentView[]> {
    const rows = await statements[selector][viewer === undefined ? 'anonymous' : 'reader']({
      ...bindings,
      viewer,
    });
    return rows.map((row) => ({
      ...row,
      id: row.id as CommentId,
      author: toProfileView(row.author),
    }));
  }

  return {
    async findById(id, viewer) {
      const [comment] = await select('comment', { comment: id }, viewer);
      return comment;
    },

    listForArticle(articleId, viewer) {
      return select('article', { article: articleId }, viewer);
    },
  };
}
