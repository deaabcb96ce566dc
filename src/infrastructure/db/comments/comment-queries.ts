import { desc, eq, type SQL } from 'drizzle-orm';
import type { CommentView } from '../../../domain/comments/comment.js';
import type { CommentQueries } from '../../../domain/comments/ports.js';
import type { CommentId, Viewer } from '../../../domain/shared/ids.js';
import type { Database } from '../database.js';
import { executorFor } from '../unit-of-work.js';
import { usersTable } from '../schema/identity.js';
import { commentsTable } from '../schema/comments.js';
import { profileColumns, toProfileView } from '../profiles/profile-projection.js';

export function createCommentQueries(database: Database): CommentQueries {
  async function select(where: SQL, viewer: Viewer): Promise<CommentView[]> {
    const rows = await executorFor(database)
      .select({
        id: commentsTable.id,
        createdAt: commentsTable.createdAt,
        updatedAt: commentsTable.updatedAt,
        body: commentsTable.body,
        author: profileColumns(database, viewer),
      })
      .from(commentsTable)
      .innerJoin(usersTable, eq(usersTable.id, commentsTable.authorId))
      .where(where)
      .orderBy(desc(commentsTable.createdAt), desc(commentsTable.id));
    return rows.map((row) => ({
      ...row,
      id: row.id as CommentId,
      author: toProfileView(row.author),
    }));
  }

  return {
    async findById(id, viewer) {
      const [comment] = await select(eq(commentsTable.id, id), viewer);
      return comment;
    },

    listForArticle(articleId, viewer) {
      return select(eq(commentsTable.articleId, articleId), viewer);
    },
  };
}
