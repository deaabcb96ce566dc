import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

/**
 * No N+1: the number of SQL statements one request runs must not grow with the number of
 * items it returns. Each hot read is measured with a page of one and a page of many.
 */

let statements = 0;
let t: TestApp;
let reader: RegisteredUser;
let author: RegisteredUser;
let tag: string;
let popularSlug: string;
let quietSlug: string;

const PAGE = 12;

/**
 * The statements of a GET of `url` (by `user` if given, whose token's standing a read just before
 * has cached: spec.md §5), answering `items` articles if given.
 */
async function statementsFor(url: string, user?: RegisteredUser, items?: number): Promise<number> {
  if (user !== undefined) {
    await t.app.inject({ method: 'GET', url: '/api/v1/user', headers: user.headers });
  }
  statements = 0;
  const response = await t.app.inject({
    method: 'GET',
    url,
    ...(user && { headers: user.headers }),
  });
  expect(response.statusCode).toBe(200);
  if (items !== undefined) expect(response.json().articles).toHaveLength(items);
  return statements;
}

beforeAll(async () => {
  t = await createTestApp(undefined, {
    logQuery: () => {
      statements++;
    },
  });
  [reader, author] = await Promise.all([registerUser(t.app), registerUser(t.app)]);
  tag = unique('tag');
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/profiles/${author.username}/follow`,
    headers: reader.headers,
  });
  for (let i = 0; i < PAGE; i++) {
    const article = await createArticle(t.app, author, {
      tagList: [tag, unique('t'), unique('t')],
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/articles/${article.slug}/favorite`,
      headers: reader.headers,
    });
    popularSlug = article.slug;
  }
  const quiet = await createArticle(t.app, author);
  quietSlug = quiet.slug;
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/articles/${quietSlug}/comments`,
    headers: reader.headers,
    payload: { comment: { body: 'the only comment' } },
  });
  for (let i = 0; i < PAGE; i++) {
    const commenter = i % 2 === 0 ? reader : author;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/articles/${popularSlug}/comments`,
      headers: commenter.headers,
      payload: { comment: { body: `comment ${String(i)}` } },
    });
  }
});
afterAll(() => t.close());

/** Empties the cache of cards: an author's profile is on every card (spec.md §5). */
async function clearCards(): Promise<void> {
  const response = await t.app.inject({
    method: 'PUT',
    url: '/api/v1/user',
    headers: author.headers,
    payload: { user: { bio: unique('bio') } },
  });
  expect(response.statusCode).toBe(200);
}

describe('statements per request do not grow with the page size', () => {
  it.each([
    ['the article list', `/api/v1/articles?limit=`],
    ['the article list by author', `/api/v1/articles?author=AUTHOR&limit=`],
    ['the article list by tag', `/api/v1/articles?tag=TAG&limit=`],
    ['the article list favorited by a user', `/api/v1/articles?favorited=READER&limit=`],
  ])('%s, anonymous and authenticated', async (_name, template) => {
    const url = template
      .replace('AUTHOR', author.username)
      .replace('TAG', tag)
      .replace('READER', reader.username);
    // One: the page as its articles' slugs, the viewer's flags and the list's total; and one
    // more for the cards the cache lacks, however many.
    await clearCards();
    expect(await statementsFor(`${url}1`, undefined, 1)).toBe(2);
    expect(await statementsFor(`${url}${String(PAGE)}`, undefined, PAGE)).toBe(2);
    expect(await statementsFor(`${url}${String(PAGE)}`, undefined, PAGE)).toBe(1);
    expect(await statementsFor(`${url}1`, reader, 1)).toBe(1);
    expect(await statementsFor(`${url}${String(PAGE)}`, reader, PAGE)).toBe(1);
    // A page past the end has no row to carry the total: a second statement reads it.
    expect(await statementsFor(`${url}1&offset=10000`, undefined, 0)).toBe(2);
  });

  it('the feed', async () => {
    await clearCards();
    const feed = (limit: number): Promise<number> =>
      statementsFor(`/api/v1/articles/feed?limit=${String(limit)}`, reader, limit);
    expect(await feed(1)).toBe(2);
    expect(await feed(PAGE)).toBe(2);
    expect(await feed(PAGE)).toBe(1);
  });

  it('the comments of an article, one or many', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/articles/${popularSlug}/comments`,
    });
    expect(response.json().comments).toHaveLength(PAGE);
    // Resolve the article, then every comment with its author in one query.
    expect(await statementsFor(`/api/v1/articles/${quietSlug}/comments`)).toBe(2);
    expect(await statementsFor(`/api/v1/articles/${popularSlug}/comments`)).toBe(2);
    expect(await statementsFor(`/api/v1/articles/${popularSlug}/comments`, reader)).toBe(2);
  });

  it('the tags', async () => {
    expect(await statementsFor('/api/v1/tags')).toBe(1);
  });

  it('a profile', async () => {
    expect(await statementsFor(`/api/v1/profiles/${author.username}`)).toBe(1);
    expect(await statementsFor(`/api/v1/profiles/${author.username}`, reader)).toBe(1);
  });

  it('an article by slug', async () => {
    expect(await statementsFor(`/api/v1/articles/${popularSlug}`)).toBe(1);
    expect(await statementsFor(`/api/v1/articles/${popularSlug}`, reader)).toBe(1);
  });
});
