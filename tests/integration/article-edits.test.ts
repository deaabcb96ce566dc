import { eq } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  rowChanges,
  rowCounts,
  type TestApp,
  expectRefused,
} from '../helpers/app.js';
import { articlesTable } from '../../src/infrastructure/db/schema/articles.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ANONYMOUS: Readonly<Record<string, string>> = {};

let t: TestApp;
let author: RegisteredUser;
beforeAll(async () => {
  t = await createTestApp();
  author = await registerUser(t.app);
});
afterAll(() => t.close());

async function getArticle(slug: string): Promise<Record<string, unknown>> {
  const response = await t.app.inject({ method: 'GET', url: `/api/v1/articles/${slug}` });
  expect(response.statusCode).toBe(200);
  return response.json<{ article: Record<string, unknown> }>().article;
}

function edit(slug: string, payload: object, headers = author.headers): InjectOptions {
  return { method: 'PUT', url: `/api/v1/articles/${slug}`, headers, payload };
}

describe('PUT /api/v1/articles/:slug', () => {
  it('updates the body only, keeping the rest and moving updatedAt forward', async () => {
    const created = await createArticle(t.app, author, { tagList: ['kept'] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const response = await t.app.inject(edit(created.slug, { article: { body: 'New body' } }));
    expect(response.statusCode).toBe(200);
    const { article } = response.json();
    expect(article).toMatchObject({
      slug: created.slug,
      title: created.title,
      description: 'A description',
      body: 'New body',
      tagList: ['kept'],
      createdAt: created.createdAt,
    });
    expect(article.updatedAt).toMatch(ISO_MILLIS);
    expect(Date.parse(article.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    expect(await getArticle(created.slug)).toEqual(article);
  });

  it('never moves updatedAt back, even when the stored stamp is ahead of the clock', async () => {
    const created = await createArticle(t.app, author);
    const ahead = new Date(Date.parse(created.updatedAt) + 3_600_000);
    await t.db
      .update(articlesTable)
      .set({ updatedAt: ahead })
      .where(eq(articlesTable.slug, created.slug));
    const response = await t.app.inject(edit(created.slug, { article: { body: 'Later' } }));
    expect(response.statusCode).toBe(200);
    expect(response.json().article).toMatchObject({
      body: 'Later',
      updatedAt: ahead.toISOString(),
    });
  });

  it('updates the title without changing the slug', async () => {
    const created = await createArticle(t.app, author);
    const response = await t.app.inject(edit(created.slug, { article: { title: 'Renamed' } }));
    expect(response.statusCode).toBe(200);
    expect(response.json().article).toMatchObject({ slug: created.slug, title: 'Renamed' });
    expect((await getArticle(created.slug)).title).toBe('Renamed');
  });

  it('removes every tag when tagList is empty', async () => {
    const created = await createArticle(t.app, author, { tagList: ['one', 'two'] });
    const response = await t.app.inject(edit(created.slug, { article: { tagList: [] } }));
    expect(response.json().article.tagList).toEqual([]);
    expect((await getArticle(created.slug)).tagList).toEqual([]);
  });

  it('replaces the tags with the given tagList, sorted', async () => {
    const created = await createArticle(t.app, author, { tagList: ['old'] });
    const response = await t.app.inject(edit(created.slug, { article: { tagList: ['z', 'b'] } }));
    expect(response.json().article.tagList).toEqual(['b', 'z']);
  });

  it.each<[string, object, Record<string, string[]>]>([
    ['tagList is null', { article: { tagList: null } }, { tagList: ['must be array'] }],
    ['the request body is {}', {}, { article: ['is required'] }],
    ['the article is {}', { article: {} }, { article: ['must have at least one field'] }],
    ['the title is blank', { article: { title: ' ' } }, { title: ["can't be blank"] }],
    [
      'the title, the body and a tag are blank: each named',
      { article: { title: ' ', body: '', tagList: [' '] } },
      {
        title: ["can't be blank"],
        body: ["can't be blank"],
        tagList: ["can't contain a blank tag"],
      },
    ],
  ])('returns 422 when %s, changing nothing', async (_case, payload, errors) => {
    const created = await createArticle(t.app, author, { tagList: ['stay'] });
    await expectRefused(t, edit(created.slug, payload), 422, 'validation_failed', errors);
    expect(await getArticle(created.slug)).toMatchObject({
      tagList: ['stay'],
      title: created.title,
    });
  });

  it('returns 403 when the caller is not the author, changing nothing', async () => {
    const created = await createArticle(t.app, author);
    const other = await registerUser(t.app);
    await expectRefused(
      t,
      edit(created.slug, { article: { body: 'hijacked' } }, other.headers),
      403,
      'forbidden',
      { article: ['forbidden'] },
    );
    expect(await getArticle(created.slug)).toMatchObject({
      body: 'A body',
      updatedAt: created.updatedAt,
    });
  });

  it('returns 404 for an unknown slug', async () => {
    await expectRefused(t, edit('no-such-article', { article: { body: 'x' } }), 404, 'not_found', {
      article: ['not found'],
    });
  });

  it('returns 401 without a token', async () => {
    const created = await createArticle(t.app, author);
    await expectRefused(
      t,
      {
        method: 'PUT',
        url: `/api/v1/articles/${created.slug}`,
        payload: { article: { body: 'x' } },
      },
      401,
      'token_missing',
      { token: ['is missing'] },
    );
  });
});

describe('DELETE /api/v1/articles/:slug', () => {
  const remove = (slug: string, headers = ANONYMOUS): InjectOptions => ({
    method: 'DELETE',
    url: `/api/v1/articles/${slug}`,
    headers,
  });

  it('deletes the article with its comments, favorites and tag links', async () => {
    const created = await createArticle(t.app, author, { tagList: ['gone1', 'gone2'] });
    const fan = await registerUser(t.app);
    const onArticle = `/api/v1/articles/${created.slug}`;
    const comment = await t.app.inject({
      method: 'POST',
      url: `${onArticle}/comments`,
      headers: fan.headers,
      payload: { comment: { body: 'Nice' } },
    });
    expect(comment.statusCode).toBe(201);
    const favorite = await t.app.inject({
      method: 'POST',
      url: `${onArticle}/favorite`,
      headers: fan.headers,
    });
    expect(favorite.statusCode).toBe(200);
    const before = await rowCounts(t.db);

    const response = await t.app.inject(remove(created.slug, author.headers));

    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(rowChanges(before, await rowCounts(t.db))).toEqual({
      articles: -1,
      comments: -1,
      favorites: -1,
      articleTags: -2,
      // article.deleted: its comments went with it, with no events of their own.
      outboxEvents: 1,
    });
    await expectRefused(t, { method: 'GET', url: onArticle }, 404, 'not_found', {
      article: ['not found'],
    });
  });

  it('returns 403 when the caller is not the author, deleting nothing', async () => {
    const created = await createArticle(t.app, author);
    const other = await registerUser(t.app);
    await expectRefused(t, remove(created.slug, other.headers), 403, 'forbidden', {
      article: ['forbidden'],
    });
    expect((await getArticle(created.slug)).slug).toBe(created.slug);
  });

  it('returns 404 for an unknown slug', async () => {
    await expectRefused(t, remove('no-such-article', author.headers), 404, 'not_found', {
      article: ['not found'],
    });
  });

  it('returns 401 without a token', async () => {
    const created = await createArticle(t.app, author);
    await expectRefused(t, remove(created.slug), 401, 'token_missing', { token: ['is missing'] });
  });

  it('deletes through the legacy /api prefix too', async () => {
    const created = await createArticle(t.app, author);
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/articles/${created.slug}`,
      headers: author.headers,
    });
    expect(response.statusCode).toBe(204);
    await expectRefused(
      t,
      { method: 'GET', url: `/api/articles/${created.slug}` },
      404,
      'not_found',
      {
        article: ['not found'],
      },
    );
  });
});
