import type { Slug } from '../shared/slug.js';
import type { ArticleId, CommentId, UserId, Viewer } from '../shared/ids.js';
import type { CommentView } from './comment.js';

export interface CommentRepository {
  findArticleId(slug: Slug): Promise<ArticleId | undefined>;
  findAuthorId(articleId: ArticleId, commentId: CommentId): Promise<UserId | undefined>;
  insert(articleId: ArticleId, authorId: UserId, body: string): Promise<CommentId>;
  /** True when this call deleted it (a concurrent delete may have been first). */
  remove(commentId: CommentId): Promise<boolean>;
}

export interface CommentQueries {
  findById(id: CommentId, viewer: Viewer): Promise<CommentView | undefined>;
  /** Newest first, in one round trip whatever the number of comments. */
  listForArticle(articleId: ArticleId, viewer: Viewer): Promise<CommentView[]>;
}
