import type { AuditTrail } from '../shared/audit.js';
import { parseReason } from '../shared/reason.js';
import { slugFromPath, type Slug } from '../shared/slug.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import type { EventRecorder } from '../shared/events.js';
import type { ArticleId, CommentId, UserId, Viewer } from '../shared/ids.js';
import type { Atomic } from '../shared/transaction.js';
import { commentIdFromPath, parseCommentBody, type CommentView } from './comment.js';
import type { CommentQueries, CommentRepository } from './ports.js';

export interface CommentServiceDeps {
  readonly atomic: Atomic;
  readonly events: EventRecorder;
  /** Joins the unit of work: a moderator's removal is audited with it. */
  readonly audit: AuditTrail;
  readonly comments: CommentRepository;
  readonly queries: CommentQueries;
}

/** Comments on articles; only a comment's author, or a moderator with a reason, may delete it. */
export interface CommentService {
  list(slug: string, viewer: Viewer): Promise<CommentView[]>;
  add(authorId: UserId, slug: string, body: string): Promise<CommentView>;
  remove(userId: UserId, slug: string, commentId: number): Promise<void>;
  /**
   * Removes anyone's comment, for a moderator (the route checks the capability), with a reason:
   * audited, and its author told through `moderation.comment_removed`.
   */
  removeAsModerator(
    moderatorId: UserId,
    slug: string,
    commentId: number,
    reason: string,
  ): Promise<void>;
}

export function createCommentService({
  atomic,
  events,
  audit,
  comments,
  queries,
}: CommentServiceDeps): CommentService {
  async function articleOf(slug: string): Promise<{ id: ArticleId; slug: Slug }> {
    const parsed = slugFromPath(slug);
    const id = parsed === undefined ? undefined : await comments.findArticleId(parsed);
    if (parsed === undefined || id === undefined) throw new NotFoundError('article');
    return { id, slug: parsed };
  }

  /**
   * Deletes comment `commentId` of `article` if `allowed` lets its author's comment go, and
   * records that; `undefined` when a concurrent delete got there first (it recorded the event).
   */
  async function deleteComment(
    article: ArticleId,
    commentId: number,
    allowed: (authorId: UserId) => boolean,
  ): Promise<{ id: CommentId; authorId: UserId } | undefined> {
    const id = commentIdFromPath(commentId);
    const authorId = id === undefined ? undefined : await comments.findAuthorId(article, id);
    if (id === undefined || authorId === undefined) throw new NotFoundError('comment');
    if (!allowed(authorId)) throw new ForbiddenError('comment');
    if (!(await comments.remove(id))) return undefined;
    await events.record({
      type: 'comment.deleted',
      version: 1,
      aggregate: { type: 'comment', id },
      payload: { commentId: id, articleId: article, authorId },
    });
    return { id, authorId };
  }

  return {
    async list(slug: string, viewer: Viewer): Promise<CommentView[]> {
      return queries.listForArticle((await articleOf(slug)).id, viewer);
    },

    async add(authorId: UserId, slug: string, body: string): Promise<CommentView> {
      const text = parseCommentBody(body);
      const { id: article } = await articleOf(slug);
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
      const { id: article } = await articleOf(slug);
      await atomic(() => deleteComment(article, commentId, (authorId) => authorId === userId));
    },

    async removeAsModerator(moderatorId, slug, commentId, reason): Promise<void> {
      const why = parseReason(reason);
      const article = await articleOf(slug);
      await atomic(async () => {
        const removed = await deleteComment(article.id, commentId, () => true);
        if (removed === undefined) return;
        await events.record({
          type: 'moderation.comment_removed',
          version: 1,
          aggregate: { type: 'comment', id: removed.id },
          payload: {
            commentId: removed.id,
            articleId: article.id,
            slug: article.slug,
            authorId: removed.authorId,
            moderatorId,
            reason: why,
          },
        });
        await audit.append({
          action: 'moderation.comment_removed',
          actor: moderatorId,
          subject: removed.authorId,
          reason: why,
        });
      });
    },
  };
}
