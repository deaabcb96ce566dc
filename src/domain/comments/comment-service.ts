import { slugFromPath } from '../shared/slug.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { EventRecorder } from '../shared/events.js';
import type { ArticleId, UserId, Viewer } from '../shared/ids.js';
import type { Atomic } from '../shared/transaction.js';
import { commentIdFromPath, parseCommentBody, type CommentView } from './comment.js';
import type { CommentQueries, CommentRepository } from './ports.js';

export interface CommentServiceDeps {
  readonly atomic: Atomic;
  readonly events: EventRecorder;
  readonly comments: CommentRepository;
  readonly queries: CommentQueries;
}

/** Comments on articles; only a comment's author may delete it. */
export interface CommentService {
  list(slug: string, viewer: Viewer): Promise<CommentView[]>;
  add(authorId: UserId, slug: string, body: string): Promise<CommentView>;
  remove(userId: UserId, slug: string, commentId: number): Promise<void>;
}

export function createCommentService({
  atomic,
  events,
  comments,
  queries,
}: CommentServiceDeps): CommentService {
  async function articleId(slug: string): Promise<ArticleId> {
    const parsed = slugFromPath(slug);
    const id = parsed === undefined ? undefined : await comments.findArticleId(parsed);
    if (id === undefined) throw new NotFoundError('article');
    return id;
  }

  return {
    async list(slug: string, viewer: Viewer): Promise<CommentView[]> {
      return queries.listForArticle(await articleId(slug), viewer);
    },

    async add(authorId: UserId, slug: string, body: string): Promise<CommentView> {
      const text = parseCommentBody(body);
      const article = await articleId(slug);
      const id = await atomic(async () => {
        const added = await comments.insert(article, authorId, text);
        await events.record({
          type: 'comment.added',
          version: 1,
          aggregate: { type: 'comment', id: added },
          payload: { commentId: added, articleId: article, authorId },
        });
        return added;
      });
      const comment = await queries.findById(id, authorId);
      // Only a concurrent delete of the article (and so the comment) can get here.
      if (comment === undefined) throw new NotFoundError('article');
      return comment;
    },

    async remove(userId: UserId, slug: string, commentId: number): Promise<void> {
      const article = await articleId(slug);
      const id = commentIdFromPath(commentId);
      await atomic(async () => {
        const authorId = id === undefined ? undefined : await comments.findAuthorId(article, id);
        if (id === undefined || authorId === undefined) throw new NotFoundError('comment');
        if (authorId !== userId) throw new ForbiddenError('comment');
        // A concurrent delete got there first: it recorded the event.
        if (!(await comments.remove(id))) return;
        await events.record({
          type: 'comment.deleted',
          version: 1,
          aggregate: { type: 'comment', id },
          payload: { commentId: id, articleId: article, authorId },
        });
      });
    },
  };
}
