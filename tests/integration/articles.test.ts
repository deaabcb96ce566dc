import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, expectRefused } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let t: TestApp;
let author: RegisteredUser;
beforeAll(async () => {
  t = await createTestApp();
  author = await registerUser(t.app);
});
afterAll(() => t.close());

type Headers = Readonly<Record<string, string>>;
const ANONYMOUS: Headers = {};

function publish(
  article: Record<string, unknown>,
  headers: Headers = author.headers,
): InjectOptions {
  return { method: 'POST', url: '/api/v1/articles', headers, payload: { article } };
}

const valid = { title: 'A title', description: 'A description', body: 'A body' };

async function getArticle(slug: string, headers = ANONYMOUS): Promise<Record<string, unknown>> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/articles/${slug}`, headers });
  expect(response.statusCode).toBe(200);
  return response.json<{ article: Record<string, unknown> }>().article;
}

describe('POST /api/v1/articles', () => {
  it('publishes an article and returns it with every field', async () => {
    const title = unique('Title');
    const response = await t.app.inject(
      publish({ title, description: 'Desc', body: '  # Body\n', tagList: ['b', 'a'] }),
    );
    expect(response.statusCode).toBe(201);
    const { article } = response.json();
    expect(article).toEqual({
      slug: title.toLowerCase().replace('_', '-'),
      title,
      description: 'Desc',
      body: '  # Body\n',
      tagList: ['a', 'b'],
      createdAt: expect.stringMatching(ISO_MILLIS),
      updatedAt: article.createdAt,
      favorited: false,
      favoritesCount: 0,
      author: { username: author.username, bio: null, image: null, following: false },
    });
  });

  it('sorts tags by name, trims them and removes duplicates', async () => {
    const article = await createArticle(t.app, author, {
      tagList: ['zeta', ' alpha ', 'mid', 'alpha', 'zeta '],
    });
    expect(article.tagList).toEqual(['alpha', 'mid', 'zeta']);
  });

  it('stores a tag in one Unicode spelling: a composed and a decomposed "café" are one tag', async () => {
    const composed = `café-${unique()}`;
    const decomposed = composed.normalize('NFD');
    const article = await createArticle(t.app, author, { tagList: [decomposed, composed] });
    expect(article.tagList).toEqual([composed]);
    const other = await createArticle(t.app, author, { tagList: [decomposed] });
    expect(other.tagList).toEqual([composed]);
    const tags = await t.app.inject({ method: 'GET', url: '/api/v1/tags' });
    expect(
      tags.json<{ tags: string[] }>().tags.filter((tag) => tag.normalize() === composed),
    ).toEqual([composed]);
  });

  it('derives a readable slug from the title', async () => {
    const article = await createArticle(t.app, author, { title: 'Hello, Wörld!' });
    expect(article.slug).toBe('hello-world');
  });

  it('gives an article titled "Feed" a slug it can be read at, not the feed route\'s', async () => {
    const article = await createArticle(t.app, author, { title: 'Feed' });
    expect(article.slug).toBe('feed-article');
    expect(await getArticle(article.slug)).toMatchObject({ title: 'Feed' });
  });

  it('gives a second article with the same title a different slug', async () => {
    const title = unique('Same title');
    const first = await createArticle(t.app, author, { title });
    const second = await createArticle(t.app, author, { title });
    expect(second.slug).not.toBe(first.slug);
    expect(second.slug.startsWith(first.slug)).toBe(true);
  });

  it.each(['title', 'description', 'body'])('returns 422 when %s is blank', async (field) => {
    await expectRefused(t, publish({ ...valid, [field]: '   ' }), 422, 'validation_failed', {
      [field]: ["can't be blank"],
    });
  });

  it.each(['title', 'description', 'body'])(
    'returns 422 when %s is only invisible characters (a zero-width space)',
    async (field) => {
      await expectRefused(
        t,
        publish({ ...valid, [field]: ' \u200b\u2060 ' }),
        422,
        'validation_failed',
        { [field]: ["can't be blank"] },
      );
    },
  );

  it('returns 422 naming every field the rules refuse, not only the first', async () => {
    await expectRefused(
      t,
      publish({ title: ' ', description: 'D', body: '\u200b', tagList: [''] }),
      422,
      'validation_failed',
      {
        title: ["can't be blank"],
        body: ["can't be blank"],
        tagList: ["can't contain a blank tag"],
      },
    );
  });

  it('returns 422 for a tag of invisible characters', async () => {
    await expectRefused(
      t,
      publish({ ...valid, tagList: ['ok', '\u200b'] }),
      422,
      'validation_failed',
      { tagList: ["can't contain a blank tag"] },
    );
  });

  it.each<[string, Record<string, unknown>, Record<string, string[]>]>([
    ['a field is missing', { title: 'T', description: 'D' }, { body: ['is required'] }],
    [
      'the title is longer than 200 characters',
      { ...valid, title: 'x'.repeat(201) },
      { title: ['is too long (maximum is 200 characters)'] },
    ],
    [
      'a tag is longer than 50 characters',
      { ...valid, tagList: ['x'.repeat(51)] },
      { tagList: ['is too long (maximum is 50 characters)'] },
    ],
    [
      'there are more than 20 tags',
      { ...valid, tagList: Array.from({ length: 21 }, (_, i) => `tag${String(i)}`) },
      { tagList: ['has too many items (maximum is 20)'] },
    ],
    [
      'the title is longer than 200 characters as sent, before trimming',
      { ...valid, title: ` ${'x'.repeat(200)}` },
      { title: ['is too long (maximum is 200 characters)'] },
    ],
    [
      'there are more than 20 tags as sent, before duplicates are removed',
      { ...valid, tagList: [...Array.from({ length: 20 }, (_, i) => `tag${String(i)}`), 'tag0'] },
      { tagList: ['has too many items (maximum is 20)'] },
    ],
    [
      'a tag is blank',
      { ...valid, tagList: ['ok', '  '] },
      { tagList: ["can't contain a blank tag"] },
    ],
    ['tagList is null', { ...valid, tagList: null }, { tagList: ['must be array'] }],
    ['a field is unknown', { ...valid, slug: 'mine' }, { slug: ['is not a known field'] }],
    ['the title is not a string', { ...valid, title: 42 }, { title: ['must be string'] }],
    ['tagList is not an array', { ...valid, tagList: 'a,b' }, { tagList: ['must be array'] }],
  ])('returns 422 when %s', async (_case, article, errors) => {
    await expectRefused(t, publish(article), 422, 'validation_failed', errors);
  });

  it('returns 401 without a token', async () => {
    await expectRefused(t, publish(valid, ANONYMOUS), 401, 'token_missing', {
      token: ['is missing'],
    });
  });

  it('returns 401 with an invalid token', async () => {
    await expectRefused(
      t,
      publish(valid, { authorization: 'Token not-a-jwt' }),
      401,
      'token_invalid',
      {
        token: ['is invalid'],
      },
    );
  });
});

describe('GET /api/v1/articles/:slug', () => {
  it('returns the article to an anonymous reader', async () => {
    const created = await createArticle(t.app, author, { tagList: ['read'] });
    const article = await getArticle(created.slug);
    expect(article).toMatchObject({
      slug: created.slug,
      body: 'A body',
      tagList: ['read'],
      favorited: false,
      author: { username: author.username, following: false },
    });
    expect(article.createdAt).toMatch(ISO_MILLIS);
    expect(article.updatedAt).toMatch(ISO_MILLIS);
  });

  it('shows the viewer whether they favorited it and follow its author', async () => {
    const created = await createArticle(t.app, author);
    const reader = await registerUser(t.app);
    const follow = { method: 'POST', headers: reader.headers } as const;
    await t.app.inject({ ...follow, url: `/api/v1/profiles/${author.username}/follow` });
    await t.app.inject({ ...follow, url: `/api/v1/articles/${created.slug}/favorite` });
    expect(await getArticle(created.slug, reader.headers)).toMatchObject({
      favorited: true,
      favoritesCount: 1,
      author: { username: author.username, following: true },
    });
    expect(await getArticle(created.slug)).toMatchObject({
      favorited: false,
      favoritesCount: 1,
      author: { following: false },
    });
  });

  it('returns 404 for an unknown slug', async () => {
    for (const slug of ['no-such-article', 'Not_A_Slug']) {
      await expectRefused(t, { method: 'GET', url: `/api/v1/articles/${slug}` }, 404, 'not_found', {
        article: ['not found'],
      });
    }
  });

  it('serves the same article under the legacy /api prefix', async () => {
    const created = await createArticle(t.app, author);
    const legacy = await t.app.inject({ method: 'GET', url: `/api/articles/${created.slug}` });
    expect(legacy.statusCode).toBe(200);
    expect(legacy.json().article).toEqual(await getArticle(created.slug));
  });
});
