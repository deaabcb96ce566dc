import { describe, expect, it, vi } from 'vitest';
import type { ArticleContent, ArticleRef, ArticleView } from '../../src/domain/articles/article.js';
import { createArticleService } from '../../src/domain/articles/article-service.js';
import type { ArticleQueries, ArticleRepository } from '../../src/domain/articles/ports.js';
import type { Slug } from '../../src/domain/shared/slug.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/shared/errors.js';
import type { ArticleId, UserId, Viewer } from '../../src/domain/shared/ids.js';
import { BLANK } from '../../src/domain/shared/text.js';
import type { Transaction } from '../../src/domain/shared/transaction.js';
import { parseUsername } from '../../src/domain/shared/username.js';
import { recordingEvents } from '../helpers/recorded-events.js';

const JANE = 1 as UserId;
const JOHN = 2 as UserId;

interface Stored extends ArticleContent {
  id: ArticleId;
  slug: Slug;
  authorId: UserId;
  tags: readonly string[];
  favoritedBy: Set<UserId>;
}

/** In-memory articles behind both the repository and the queries port. */
function setup(options: { takenSlugs?: readonly string[] } = {}) {
  const taken = new Set(options.takenSlugs);
  const articles = new Map<ArticleId, Stored>();
  const bySlug = (slug: Slug) => [...articles.values()].find((a) => a.slug === slug);
  const get = (id: ArticleId): Stored => {
    const article = articles.get(id);
    if (article === undefined) throw new Error(`no article ${String(id)}`);
    return article;
  };
  const repository = {
    lockBySlug: vi.fn((slug: Slug) => {
      const found = bySlug(slug);
      return Promise.resolve(found && { id: found.id, slug: found.slug, authorId: found.authorId });
    }),
    insert: vi.fn((article: Parameters<ArticleRepository['insert']>[0]) => {
      if (taken.has(article.slug) || bySlug(article.slug)) return Promise.resolve(undefined);
      const id = (articles.size + 1) as ArticleId;
      articles.set(id, { ...article, id, tags: [], favoritedBy: new Set() });
      return Promise.resolve(id);
    }),
    update: vi.fn((id: ArticleId, changes: Partial<ArticleContent>) => {
      Object.assign(get(id), changes);
      return Promise.resolve();
    }),
    setTags: vi.fn((id: ArticleId, tags: readonly string[]) => {
      get(id).tags = tags;
      return Promise.resolve();
    }),
    remove: vi.fn(({ id }: ArticleRef) => {
      articles.delete(id);
      return Promise.resolve();
    }),
    addFavorite: vi.fn((id: ArticleId, userId: UserId) => {
      const { favoritedBy } = get(id);
      const added = !favoritedBy.has(userId);
      favoritedBy.add(userId);
      return Promise.resolve(added);
    }),
    removeFavorite: vi.fn((id: ArticleId, userId: UserId) =>
      Promise.resolve(get(id).favoritedBy.delete(userId)),
    ),
  } satisfies ArticleRepository;
  const findBySlug = vi.fn((slug: Slug, viewer: Viewer) => {
    const found = bySlug(slug);
    if (found === undefined) return Promise.resolve(undefined);
    const view: ArticleView = {
      slug: found.slug,
      title: found.title,
      description: found.description,
      body: found.body,
      tagList: [...found.tags],
      createdAt: new Date(0),
      updatedAt: new Date(0),
      favorited: viewer !== undefined && found.favoritedBy.has(viewer),
      favoritesCount: found.favoritedBy.size,
      author: {
        username: parseUsername(`user${String(found.authorId)}`),
        bio: null,
        image: null,
        following: false,
      },
    };
    return Promise.resolve(view);
  });
  const queries: ArticleQueries = {
    findBySlug,
    list: () => Promise.reject(new Error('not used')),
    feed: () => Promise.reject(new Error('not used')),
    tags: () => Promise.reject(new Error('not used')),
  };
  const opened = vi.fn();
  const { atomic, events, audit, recorded, audited } = recordingEvents();
  const transaction: Transaction<ArticleRepository> = (work) => {
    opened();
    return atomic(() => work(repository));
  };
  let suffixes = 0;
  const service = createArticleService({
    transaction,
    events,
    audit,
    queries,
    slugSuffix: () => `s${String(++suffixes)}`,
  });
  return { service, articles, repository, findBySlug, opened, recorded, audited };
}

const DRAGONS = {
  title: ' How to Train Your Dragon ',
  description: 'Ever wonder how?',
  body: 'You have to believe.',
  tagList: ['dragons', ' training ', 'dragons'],
};

describe('ArticleService.publish', () => {
  it('stores the parsed article under its slug with its tags and returns the view', async () => {
    const { service } = setup();
    const article = await service.publish(JANE, DRAGONS);
    expect(article).toMatchObject({
      slug: 'how-to-train-your-dragon',
      title: 'How to Train Your Dragon',
      description: 'Ever wonder how?',
      body: 'You have to believe.',
      tagList: ['dragons', 'training'],
      author: { username: 'user1' },
    });
  });

  it('sets no tags when no tagList is given', async () => {
    const { service, repository } = setup();
    const { title, description, body } = DRAGONS;
    await expect(service.publish(JANE, { title, description, body })).resolves.toMatchObject({
      tagList: [],
    });
    expect(repository.setTags).toHaveBeenCalledWith(1, []);
  });

  it('adds a random suffix when the slug is taken', async () => {
    const { service } = setup({ takenSlugs: ['how-to-train-your-dragon'] });
    const article = await service.publish(JANE, DRAGONS);
    expect(article.slug).toBe('how-to-train-your-dragon-s1');
  });

  it('tries new suffixes until one is free', async () => {
    const { service } = setup({
      takenSlugs: ['how-to-train-your-dragon', 'how-to-train-your-dragon-s1'],
    });
    await expect(service.publish(JANE, DRAGONS)).resolves.toMatchObject({
      slug: 'how-to-train-your-dragon-s2',
    });
  });

  it('gives up with an error after five taken slugs', async () => {
    const { service, repository } = setup();
    repository.insert.mockResolvedValue(undefined);
    await expect(service.publish(JANE, DRAGONS)).rejects.toThrow(
      'no free slug for "how-to-train-your-dragon" after 5 attempts',
    );
    expect(repository.insert).toHaveBeenCalledTimes(5);
    expect(repository.setTags).not.toHaveBeenCalled();
  });

  it('rejects invalid content before opening a transaction', async () => {
    const { service, opened } = setup();
    await expect(service.publish(JANE, { ...DRAGONS, title: '  ' })).rejects.toThrow(
      ValidationError.field('title', BLANK),
    );
    await expect(service.publish(JANE, { ...DRAGONS, tagList: [''] })).rejects.toThrow(
      ValidationError.field('tagList', "can't contain a blank tag"),
    );
    expect(opened).not.toHaveBeenCalled();
  });

  it('throws NotFoundError when the article is gone before it is read back', async () => {
    const { service, findBySlug } = setup();
    findBySlug.mockResolvedValueOnce(undefined);
    await expect(service.publish(JANE, DRAGONS)).rejects.toThrow(new NotFoundError('article'));
  });
});

describe('ArticleService.edit', () => {
  it('changes only the fields given and keeps the slug', async () => {
    const { service, repository } = setup();
    await service.publish(JANE, DRAGONS);
    const article = await service.edit(JANE, 'how-to-train-your-dragon', { title: ' New title ' });
    expect(repository.update).toHaveBeenCalledWith(1, { title: 'New title' });
    expect(article).toMatchObject({
      slug: 'how-to-train-your-dragon',
      title: 'New title',
      description: 'Ever wonder how?',
    });
  });

  it('replaces the tags only when a tagList is given', async () => {
    const { service, repository } = setup();
    await service.publish(JANE, DRAGONS);
    repository.setTags.mockClear();
    await expect(
      service.edit(JANE, 'how-to-train-your-dragon', { body: 'New body' }),
    ).resolves.toMatchObject({ tagList: ['dragons', 'training'] });
    expect(repository.setTags).not.toHaveBeenCalled();
    await expect(
      service.edit(JANE, 'how-to-train-your-dragon', { tagList: [' flying', 'flying'] }),
    ).resolves.toMatchObject({ tagList: ['flying'] });
    await expect(
      service.edit(JANE, 'how-to-train-your-dragon', { tagList: [] }),
    ).resolves.toMatchObject({ tagList: [] });
  });

  it('forbids anyone but the author, changing nothing', async () => {
    const { service, repository } = setup();
    await service.publish(JANE, DRAGONS);
    await expect(
      service.edit(JOHN, 'how-to-train-your-dragon', { title: 'Mine now' }),
    ).rejects.toThrow(new ForbiddenError('article'));
    expect(repository.update).not.toHaveBeenCalled();
  });

  it('throws NotFoundError for an unknown slug', async () => {
    const { service } = setup();
    await expect(service.edit(JANE, 'no-such-article', { title: 'T' })).rejects.toThrow(
      new NotFoundError('article'),
    );
  });

  it('throws NotFoundError for a slug that could never exist, without a lookup', async () => {
    const { service, repository } = setup();
    await expect(service.edit(JANE, 'Not A Slug', { title: 'T' })).rejects.toThrow(
      new NotFoundError('article'),
    );
    expect(repository.lockBySlug).not.toHaveBeenCalled();
  });

  it('rejects invalid changes before opening a transaction', async () => {
    const { service, opened } = setup();
    await expect(service.edit(JANE, 'any', { description: ' ' })).rejects.toThrow(
      ValidationError.field('description', BLANK),
    );
    await expect(service.edit(JANE, 'any', { body: '' })).rejects.toThrow(
      ValidationError.field('body', BLANK),
    );
    await expect(service.edit(JANE, 'any', { tagList: ['x'.repeat(51)] })).rejects.toThrow(
      ValidationError,
    );
    expect(opened).not.toHaveBeenCalled();
  });

  it('throws NotFoundError when the article is gone before it is read back', async () => {
    const { service, findBySlug } = setup();
    await service.publish(JANE, DRAGONS);
    findBySlug.mockResolvedValueOnce(undefined);
    await expect(service.edit(JANE, 'how-to-train-your-dragon', { title: 'T' })).rejects.toThrow(
      new NotFoundError('article'),
    );
  });
});

describe('ArticleService.remove', () => {
  it('deletes the article of its author', async () => {
    const { service, articles } = setup();
    await service.publish(JANE, DRAGONS);
    await service.remove(JANE, 'how-to-train-your-dragon');
    expect(articles.size).toBe(0);
  });

  it('forbids anyone but the author, deleting nothing', async () => {
    const { service, articles } = setup();
    await service.publish(JANE, DRAGONS);
    await expect(service.remove(JOHN, 'how-to-train-your-dragon')).rejects.toThrow(
      new ForbiddenError('article'),
    );
    expect(articles.size).toBe(1);
  });

  it('throws NotFoundError for an unknown or impossible slug', async () => {
    const { service } = setup();
    await expect(service.remove(JANE, 'no-such-article')).rejects.toThrow(
      new NotFoundError('article'),
    );
    await expect(service.remove(JANE, '--')).rejects.toThrow(new NotFoundError('article'));
  });
});

describe('ArticleService.removeAsModerator', () => {
  it("deletes anyone's article with the reason audited and told to the author", async () => {
    const { service, articles, recorded, audited } = setup();
    await service.publish(JANE, DRAGONS);
    await service.removeAsModerator(JOHN, 'how-to-train-your-dragon', '  spam  ');
    expect(articles.size).toBe(0);
    const removal = { articleId: 1, slug: 'how-to-train-your-dragon', authorId: JANE };
    expect(recorded.slice(1)).toEqual([
      expect.objectContaining({ type: 'article.deleted', payload: removal }),
      expect.objectContaining({
        type: 'moderation.article_removed',
        aggregate: { type: 'article', id: 1 },
        payload: { ...removal, moderatorId: JOHN, reason: 'spam' },
      }),
    ]);
    expect(audited).toEqual([
      { action: 'moderation.article_removed', actor: JOHN, subject: JANE, reason: 'spam' },
    ]);
  });

  it('requires a reason, and deletes nothing without one', async () => {
    const { service, articles, recorded } = setup();
    await service.publish(JANE, DRAGONS);
    await expect(
      service.removeAsModerator(JOHN, 'how-to-train-your-dragon', '   '),
    ).rejects.toThrow(ValidationError.field('reason', BLANK));
    await expect(
      service.removeAsModerator(JOHN, 'how-to-train-your-dragon', 'x'.repeat(501)),
    ).rejects.toThrow(ValidationError);
    expect(articles.size).toBe(1);
    expect(recorded.map((event) => event.type)).toEqual(['article.published']);
  });

  it('throws NotFoundError for an unknown slug', async () => {
    const { service } = setup();
    await expect(service.removeAsModerator(JOHN, 'no-such-article', 'spam')).rejects.toThrow(
      new NotFoundError('article'),
    );
  });
});

describe('ArticleService.favorite', () => {
  it("favorites anyone's article and returns it as favorited", async () => {
    const { service } = setup();
    await service.publish(JANE, DRAGONS);
    await expect(service.favorite(JOHN, 'how-to-train-your-dragon')).resolves.toMatchObject({
      favorited: true,
      favoritesCount: 1,
    });
  });

  it('throws NotFoundError for an unknown or impossible slug', async () => {
    const { service, repository } = setup();
    await expect(service.favorite(JOHN, 'no-such-article')).rejects.toThrow(
      new NotFoundError('article'),
    );
    await expect(service.favorite(JOHN, 'Bad Slug')).rejects.toThrow(new NotFoundError('article'));
    expect(repository.addFavorite).not.toHaveBeenCalled();
  });

  it('throws NotFoundError when the article is gone before it is read back', async () => {
    const { service, findBySlug } = setup();
    await service.publish(JANE, DRAGONS);
    findBySlug.mockResolvedValueOnce(undefined);
    await expect(service.favorite(JOHN, 'how-to-train-your-dragon')).rejects.toThrow(
      new NotFoundError('article'),
    );
  });
});

describe('ArticleService.unfavorite', () => {
  it('removes the favorite and returns the article as not favorited', async () => {
    const { service } = setup();
    await service.publish(JANE, DRAGONS);
    await service.favorite(JOHN, 'how-to-train-your-dragon');
    await expect(service.unfavorite(JOHN, 'how-to-train-your-dragon')).resolves.toMatchObject({
      favorited: false,
      favoritesCount: 0,
    });
  });

  it('throws NotFoundError for an unknown slug', async () => {
    const { service, repository } = setup();
    await expect(service.unfavorite(JOHN, 'no-such-article')).rejects.toThrow(
      new NotFoundError('article'),
    );
    expect(repository.removeFavorite).not.toHaveBeenCalled();
  });

  it('throws NotFoundError when the article is gone before it is read back', async () => {
    const { service, findBySlug } = setup();
    await service.publish(JANE, DRAGONS);
    findBySlug.mockResolvedValueOnce(undefined);
    await expect(service.unfavorite(JOHN, 'how-to-train-your-dragon')).rejects.toThrow(
      new NotFoundError('article'),
    );
  });
});

describe('ArticleService events', () => {
  it('records one event per change, with the article as its aggregate', async () => {
    const { service, recorded } = setup();
    await service.publish(JANE, { ...DRAGONS, tagList: ['dragons'] });
    await service.edit(JANE, 'how-to-train-your-dragon', { body: 'New', tagList: [] });
    await service.favorite(JOHN, 'how-to-train-your-dragon');
    await service.unfavorite(JOHN, 'how-to-train-your-dragon');
    await service.remove(JANE, 'how-to-train-your-dragon');
    const article = { type: 'article', id: 1 };
    expect(recorded).toEqual([
      {
        type: 'article.published',
        version: 1,
        aggregate: article,
        payload: {
          articleId: 1,
          slug: 'how-to-train-your-dragon',
          authorId: JANE,
          title: 'How to Train Your Dragon',
          tagList: ['dragons'],
        },
      },
      {
        type: 'article.updated',
        version: 1,
        aggregate: article,
        payload: { articleId: 1, slug: 'how-to-train-your-dragon', changed: ['body', 'tagList'] },
      },
      {
        type: 'article.favorited',
        version: 1,
        aggregate: article,
        payload: { articleId: 1, userId: JOHN },
      },
      {
        type: 'article.unfavorited',
        version: 1,
        aggregate: article,
        payload: { articleId: 1, userId: JOHN },
      },
      {
        type: 'article.deleted',
        version: 1,
        aggregate: article,
        payload: { articleId: 1, slug: 'how-to-train-your-dragon', authorId: JANE },
      },
    ]);
  });

  it('records nothing for a repeated favorite or unfavorite, which change nothing', async () => {
    const { service, recorded } = setup();
    await service.publish(JANE, DRAGONS);
    await service.favorite(JOHN, 'how-to-train-your-dragon');
    await service.favorite(JOHN, 'how-to-train-your-dragon');
    await service.unfavorite(JOHN, 'how-to-train-your-dragon');
    await service.unfavorite(JOHN, 'how-to-train-your-dragon');
    expect(recorded.map((event) => event.type)).toEqual([
      'article.published',
      'article.favorited',
      'article.unfavorited',
    ]);
  });

  it('records nothing for a refused command', async () => {
    const { service, recorded } = setup();
    await service.publish(JANE, DRAGONS);
    await expect(service.edit(JOHN, 'how-to-train-your-dragon', { title: 'Mine' })).rejects.toThrow(
      ForbiddenError,
    );
    await expect(service.remove(JOHN, 'how-to-train-your-dragon')).rejects.toThrow(ForbiddenError);
    expect(recorded.map((event) => event.type)).toEqual(['article.published']);
  });
});
