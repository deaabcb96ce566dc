import { describe, expect, it, vi } from 'vitest';
import type { Slug } from '../../src/domain/shared/slug.js';
import type { CommentView } from '../../src/domain/comments/comment.js';
import { createCommentService } from '../../src/domain/comments/comment-service.js';
import type { CommentQueries } from '../../src/domain/comments/ports.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/shared/errors.js';
import type { ArticleId, CommentId, UserId } from '../../src/domain/shared/ids.js';
import { BLANK } from '../../src/domain/shared/text.js';
import { parseUsername } from '../../src/domain/shared/username.js';
import { recordingEvents } from '../helpers/recorded-events.js';

const JANE = 1 as UserId;
const JOHN = 2 as UserId;
const DRAGONS = 10 as ArticleId;
const OTHER = 11 as ArticleId;

interface Stored {
  id: CommentId;
  articleId: ArticleId;
  authorId: UserId;
  body: string;
}

/** Two articles and an in-memory comment table behind both ports. */
function setup() {
  const slugs = new Map<string, ArticleId>([
    ['dragons', DRAGONS],
    ['other', OTHER],
  ]);
  const stored = new Map<CommentId, Stored>();
  const view = (comment: Stored): CommentView => ({
    id: comment.id,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    body: comment.body,
    author: {
      username: parseUsername(`user${String(comment.authorId)}`),
      bio: null,
      image: null,
      following: false,
    },
  });
  const comments = {
    findArticleId: vi.fn((slug: Slug) => Promise.resolve(slugs.get(slug))),
    findAuthorId: vi.fn((articleId: ArticleId, commentId: CommentId) => {
      const comment = stored.get(commentId);
      return Promise.resolve(comment?.articleId === articleId ? comment.authorId : undefined);
    }),
    insert: vi.fn((articleId: ArticleId, authorId: UserId, body: string) => {
      const id = (stored.size + 1) as CommentId;
      stored.set(id, { id, articleId, authorId, body });
      return Promise.resolve(id);
    }),
    remove: vi.fn((id: CommentId) => Promise.resolve(stored.delete(id))),
  };
  const queries = {
    findById: vi.fn<CommentQueries['findById']>((id) => {
      const comment = stored.get(id);
      return Promise.resolve(comment && view(comment));
    }),
    listForArticle: vi.fn<CommentQueries['listForArticle']>((articleId) =>
      Promise.resolve([...stored.values()].filter((c) => c.articleId === articleId).map(view)),
    ),
  };
  const { atomic, events, audit, recorded, audited } = recordingEvents();
  const service = createCommentService({ atomic, events, audit, comments, queries });
  return { service, comments, queries, stored, recorded, audited };
}

describe('CommentService.list', () => {
  it("lists the article's comments for the viewer", async () => {
    const { service, queries } = setup();
    await service.add(JANE, 'dragons', 'First!');
    await service.add(JANE, 'other', 'Elsewhere');
    await expect(service.list('dragons', JOHN)).resolves.toMatchObject([{ body: 'First!' }]);
    expect(queries.listForArticle).toHaveBeenCalledWith(DRAGONS, JOHN);
  });

  it('throws NotFoundError for an unknown article', async () => {
    const { service } = setup();
    await expect(service.list('no-such-article', undefined)).rejects.toThrow(
      new NotFoundError('article'),
    );
  });

  it('throws NotFoundError for a slug that could never exist, without a lookup', async () => {
    const { service, comments } = setup();
    await expect(service.list('Not A Slug', undefined)).rejects.toThrow(
      new NotFoundError('article'),
    );
    expect(comments.findArticleId).not.toHaveBeenCalled();
  });
});

describe('CommentService.add', () => {
  it('stores the trimmed body and returns the comment', async () => {
    const { service, stored } = setup();
    await expect(service.add(JANE, 'dragons', '  Great read!\n')).resolves.toMatchObject({
      id: 1,
      body: 'Great read!',
      author: { username: 'user1' },
    });
    expect(stored.get(1 as CommentId)).toMatchObject({ articleId: DRAGONS, authorId: JANE });
  });

  it('rejects a blank body, storing nothing', async () => {
    const { service, stored } = setup();
    await expect(service.add(JANE, 'dragons', '  ')).rejects.toThrow(
      ValidationError.field('body', BLANK),
    );
    expect(stored.size).toBe(0);
  });

  it('throws NotFoundError for an unknown article', async () => {
    const { service, stored } = setup();
    await expect(service.add(JANE, 'no-such-article', 'Hi')).rejects.toThrow(
      new NotFoundError('article'),
    );
    expect(stored.size).toBe(0);
  });

  it('reports the article as not found when it is deleted before the comment is read back', async () => {
    const { service, queries } = setup();
    queries.findById.mockResolvedValueOnce(undefined);
    await expect(service.add(JANE, 'dragons', 'Hi')).rejects.toThrow(new NotFoundError('article'));
  });
});

describe('CommentService.remove', () => {
  it('deletes the comment of its author', async () => {
    const { service, stored } = setup();
    const { id } = await service.add(JANE, 'dragons', 'Oops');
    await service.remove(JANE, 'dragons', id);
    expect(stored.size).toBe(0);
  });

  it('forbids anyone but the author, deleting nothing', async () => {
    const { service, stored } = setup();
    const { id } = await service.add(JANE, 'dragons', 'Mine');
    await expect(service.remove(JOHN, 'dragons', id)).rejects.toThrow(
      new ForbiddenError('comment'),
    );
    expect(stored.size).toBe(1);
  });

  it('throws NotFoundError for an unknown comment, or one on another article', async () => {
    const { service, stored } = setup();
    const { id } = await service.add(JANE, 'dragons', 'Here');
    await expect(service.remove(JANE, 'dragons', 99)).rejects.toThrow(new NotFoundError('comment'));
    await expect(service.remove(JANE, 'other', id)).rejects.toThrow(new NotFoundError('comment'));
    expect(stored.size).toBe(1);
  });

  it.each([0, -1, 1.5, 2 ** 31])(
    'throws NotFoundError for the impossible id %d, without a lookup',
    async (commentId) => {
      const { service, comments } = setup();
      await expect(service.remove(JANE, 'dragons', commentId)).rejects.toThrow(
        new NotFoundError('comment'),
      );
      expect(comments.findAuthorId).not.toHaveBeenCalled();
    },
  );

  it('throws NotFoundError for an unknown article', async () => {
    const { service } = setup();
    await expect(service.remove(JANE, 'no-such-article', 1)).rejects.toThrow(
      new NotFoundError('article'),
    );
  });
});

describe('CommentService.removeAsModerator', () => {
  it("deletes anyone's comment with the reason audited and told to the author", async () => {
    const { service, stored, recorded, audited } = setup();
    const { id } = await service.add(JANE, 'dragons', 'Buy pills');
    await service.removeAsModerator(JOHN, 'dragons', id, ' spam ');
    expect(stored.size).toBe(0);
    expect(recorded.slice(1)).toEqual([
      expect.objectContaining({ type: 'comment.deleted' }),
      {
        type: 'moderation.comment_removed',
        version: 1,
        aggregate: { type: 'comment', id },
        payload: {
          commentId: id,
          articleId: DRAGONS,
          slug: 'dragons',
          authorId: JANE,
          moderatorId: JOHN,
          reason: 'spam',
        },
      },
    ]);
    expect(audited).toEqual([
      { action: 'moderation.comment_removed', actor: JOHN, subject: JANE, reason: 'spam' },
    ]);
  });

  it('requires a reason, and looks nothing up without one', async () => {
    const { service, comments, stored } = setup();
    const { id } = await service.add(JANE, 'dragons', 'Fine');
    await expect(service.removeAsModerator(JOHN, 'dragons', id, '')).rejects.toThrow(
      ValidationError.field('reason', BLANK),
    );
    expect(comments.findAuthorId).not.toHaveBeenCalled();
    expect(stored.size).toBe(1);
  });

  it('records nothing when a concurrent delete removed the comment first', async () => {
    const { service, comments, recorded, audited } = setup();
    const { id } = await service.add(JANE, 'dragons', 'Gone soon');
    comments.remove.mockResolvedValueOnce(false);
    await service.removeAsModerator(JOHN, 'dragons', id, 'spam');
    expect(recorded.map((event) => event.type)).toEqual(['comment.added']);
    expect(audited).toEqual([]);
  });
});

describe('CommentService events', () => {
  it('records comment.added and comment.deleted with the comment as aggregate', async () => {
    const { service, recorded } = setup();
    const comment = await service.add(JANE, 'dragons', 'First!');
    await service.remove(JANE, 'dragons', comment.id);
    const payload = { commentId: comment.id, articleId: DRAGONS, authorId: JANE };
    const aggregate = { type: 'comment', id: comment.id };
    expect(recorded).toEqual([
      { type: 'comment.added', version: 1, aggregate, payload },
      { type: 'comment.deleted', version: 1, aggregate, payload },
    ]);
  });

  it('records nothing when a concurrent delete removed the comment first, or the delete is refused', async () => {
    const { service, comments, recorded } = setup();
    const comment = await service.add(JANE, 'dragons', 'First!');
    await expect(service.remove(JOHN, 'dragons', comment.id)).rejects.toThrow(ForbiddenError);
    comments.remove.mockResolvedValueOnce(false);
    await service.remove(JANE, 'dragons', comment.id);
    expect(recorded.map((event) => event.type)).toEqual(['comment.added']);
  });
});
