import { describe, expect, it, vi } from 'vitest';
import type { ArticleList, ArticleView } from '../../src/domain/articles/article.js';
import { createArticleReader } from '../../src/domain/articles/article-reader.js';
import type { ArticleQueries } from '../../src/domain/articles/ports.js';
import { slugify } from '../../src/domain/shared/slug.js';
import { NotFoundError } from '../../src/domain/shared/errors.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import type { Page } from '../../src/domain/shared/pagination.js';
import { parseUsername } from '../../src/domain/shared/username.js';

const JANE = 1 as UserId;
const PAGE: Page = { limit: 20, offset: 0 };

const DRAGONS: ArticleView = {
  slug: slugify('How to train your dragon'),
  title: 'How to train your dragon',
  description: 'Ever wonder how?',
  body: 'You have to believe.',
  tagList: ['dragons'],
  createdAt: new Date(0),
  updatedAt: new Date(0),
  favorited: false,
  favoritesCount: 0,
  author: { username: parseUsername('jane'), bio: null, image: null, following: false },
};
const ONE: ArticleList = { articles: [DRAGONS], articlesCount: 1 };

/** Queries that know one article and record what they were asked. */
function setup() {
  const queries = {
    findBySlug: vi.fn<ArticleQueries['findBySlug']>((slug) =>
      Promise.resolve(slug === DRAGONS.slug ? DRAGONS : undefined),
    ),
    list: vi.fn<ArticleQueries['list']>(() => Promise.resolve(ONE)),
    feed: vi.fn<ArticleQueries['feed']>(() => Promise.resolve(ONE)),
    tags: vi.fn<ArticleQueries['tags']>(() => Promise.resolve(['dragons'])),
  };
  return { reader: createArticleReader(queries), queries };
}

describe('ArticleReader.get', () => {
  it('returns the article as the viewer sees it', async () => {
    const { reader, queries } = setup();
    await expect(reader.get('how-to-train-your-dragon', JANE)).resolves.toBe(DRAGONS);
    expect(queries.findBySlug).toHaveBeenCalledWith('how-to-train-your-dragon', JANE);
  });

  it('throws NotFoundError for an unknown slug', async () => {
    const { reader } = setup();
    await expect(reader.get('no-such-article', undefined)).rejects.toThrow(
      new NotFoundError('article'),
    );
  });

  it('throws NotFoundError for a slug that could never exist, without a query', async () => {
    const { reader, queries } = setup();
    await expect(reader.get('Not A Slug', undefined)).rejects.toThrow(new NotFoundError('article'));
    expect(queries.findBySlug).not.toHaveBeenCalled();
  });
});

describe('ArticleReader.list', () => {
  it('lists with no filter when none is given', async () => {
    const { reader, queries } = setup();
    await expect(reader.list({}, PAGE, undefined)).resolves.toBe(ONE);
    expect(queries.list).toHaveBeenCalledWith({}, PAGE, undefined);
  });

  it('passes the tag, author and favorited filters on', async () => {
    const { reader, queries } = setup();
    await reader.list({ tag: 'dragons', author: 'jane', favorited: 'john' }, PAGE, JANE);
    expect(queries.list).toHaveBeenCalledWith(
      { tag: 'dragons', author: 'jane', favoritedBy: 'john' },
      PAGE,
      JANE,
    );
  });

  it('names a tag in NFC, as tags are stored: a decomposed "café" is the composed one', async () => {
    const { reader, queries } = setup();
    await reader.list({ tag: 'cafe\u0301' }, PAGE, JANE);
    expect(queries.list).toHaveBeenCalledWith({ tag: 'caf\u00e9' }, PAGE, JANE);
  });

  it.each([{ author: 'no such user' }, { favorited: 'x'.repeat(65) }, { tag: 't', author: '' }])(
    'returns the empty list for %j, which names an impossible user, without a query',
    async (input) => {
      const { reader, queries } = setup();
      await expect(reader.list(input, PAGE, JANE)).resolves.toEqual({
        articles: [],
        articlesCount: 0,
      });
      expect(queries.list).not.toHaveBeenCalled();
    },
  );
});
