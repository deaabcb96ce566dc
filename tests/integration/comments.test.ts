import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, expectRefused } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';

const ISO_WITH_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

function commentsUrl(slug: string): string {
  return `/api/v1/articles/${slug}/comments`;
}

async function addComment(user: RegisteredUser, slug: string, body = 'A comment') {
  const response = await t.app.inject({
    method: 'POST',
    url: commentsUrl(slug),
    headers: user.headers,
    payload: { comment: { body } },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ comment: { id: number; body: string } }>().comment;
}

describe('POST /api/v1/articles/:slug/comments', () => {
  it('creates a comment with an integer id, trimmed body, timestamps and author profile', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const response = await t.app.inject({
      method: 'POST',
      url: commentsUrl(slug),
      headers: author.headers,
      payload: { comment: { body: '  Nice article  ' } },
    });
    expect(response.statusCode).toBe(201);
    const { comment } = response.json();
    expect(Number.isInteger(comment.id)).toBe(true);
    expect(comment.body).toBe('Nice article');
    expect(comment.createdAt).toMatch(ISO_WITH_MS);
    expect(comment.updatedAt).toMatch(ISO_WITH_MS);
    expect(comment.author).toEqual({
      username: author.username,
      bio: null,
      image: null,
      following: false,
    });
    expect(Object.keys(comment).sort()).toEqual(['author', 'body', 'createdAt', 'id', 'updatedAt']);
  });

  it.each([
    ['the body is blank', { body: '' }, { body: ["can't be blank"] }],
    ['the body is only whitespace', { body: '  \n ' }, { body: ["can't be blank"] }],
    ['the body is only invisible', { body: '\u200b\u200d' }, { body: ["can't be blank"] }],
    [
      'the body is longer than 10000 characters',
      { body: 'x'.repeat(10_001) },
      { body: ['is too long (maximum is 10000 characters)'] },
    ],
    [
      'the comment has an unknown field',
      { body: 'Hello', rating: 5 },
      { rating: ['is not a known field'] },
    ],
  ])('returns 422 when %s', async (_case, comment, errors) => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    await expectRefused(
      t,
      { method: 'POST', url: commentsUrl(slug), headers: author.headers, payload: { comment } },
      422,
      'validation_failed',
      errors,
    );
  });

  it('returns 404 when the article does not exist', async () => {
    const user = await registerUser(t.app);
    await expectRefused(
      t,
      {
        method: 'POST',
        url: commentsUrl(unique('missing')),
        headers: user.headers,
        payload: { comment: { body: 'Orphan' } },
      },
      404,
      'not_found',
      { article: ['not found'] },
    );
  });

  it('returns 401 without a token', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    await expectRefused(
      t,
      { method: 'POST', url: commentsUrl(slug), payload: { comment: { body: 'Anonymous' } } },
      401,
      'token_missing',
      { token: ['is missing'] },
    );
  });
});

describe('GET /api/v1/articles/:slug/comments', () => {
  it('lists comments newest first to an anonymous reader', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const first = await addComment(author, slug, 'First');
    const second = await addComment(author, slug, 'Second');
    const response = await t.app.inject({ method: 'GET', url: commentsUrl(slug) });
    expect(response.statusCode).toBe(200);
    const { comments } = response.json();
    expect(comments.map((c: { id: number }) => c.id)).toEqual([second.id, first.id]);
    expect(comments[0]).toMatchObject({
      body: 'Second',
      createdAt: expect.stringMatching(ISO_WITH_MS),
      updatedAt: expect.stringMatching(ISO_WITH_MS),
      author: { username: author.username, following: false },
    });
  });

  it("shows whether the viewer follows each comment's author", async () => {
    const author = await registerUser(t.app);
    const followed = await registerUser(t.app);
    const stranger = await registerUser(t.app);
    const viewer = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    await addComment(followed, slug, 'From a followed user');
    await addComment(stranger, slug, 'From a stranger');
    const follow = await t.app.inject({
      method: 'POST',
      url: `/api/v1/profiles/${followed.username}/follow`,
      headers: viewer.headers,
    });
    expect(follow.statusCode).toBe(200);

    const response = await t.app.inject({
      method: 'GET',
      url: commentsUrl(slug),
      headers: viewer.headers,
    });
    expect(response.statusCode).toBe(200);
    const following = Object.fromEntries(
      response
        .json<{ comments: { author: { username: string; following: boolean } }[] }>()
        .comments.map((c) => [c.author.username, c.author.following]),
    );
    expect(following).toEqual({ [followed.username]: true, [stranger.username]: false });
  });

  it('returns 404 when the article does not exist', async () => {
    const response = await t.app.inject({ method: 'GET', url: commentsUrl(unique('missing')) });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      errors: { article: ['not found'] },
      error: { code: 'not_found' },
    });
  });
});

describe('DELETE /api/v1/articles/:slug/comments/:id', () => {
  it('deletes the caller’s comment with 204, and it is gone from the list', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const doomed = await addComment(author, slug, 'Doomed');
    const kept = await addComment(author, slug, 'Kept');
    const response = await t.app.inject({
      method: 'DELETE',
      url: `${commentsUrl(slug)}/${String(doomed.id)}`,
      headers: author.headers,
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    const list = await t.app.inject({ method: 'GET', url: commentsUrl(slug) });
    expect(list.json().comments.map((c: { id: number }) => c.id)).toEqual([kept.id]);
  });

  it('returns 403 when the caller is not the comment’s author, and keeps the comment', async () => {
    const author = await registerUser(t.app);
    const other = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const comment = await addComment(author, slug);
    await expectRefused(
      t,
      {
        method: 'DELETE',
        url: `${commentsUrl(slug)}/${String(comment.id)}`,
        headers: other.headers,
      },
      403,
      'forbidden',
      { comment: ['forbidden'] },
    );
    const list = await t.app.inject({ method: 'GET', url: commentsUrl(slug) });
    expect(list.json().comments.map((c: { id: number }) => c.id)).toEqual([comment.id]);
  });

  it('returns 404 when the article does not exist', async () => {
    const user = await registerUser(t.app);
    await expectRefused(
      t,
      { method: 'DELETE', url: `${commentsUrl(unique('missing'))}/1`, headers: user.headers },
      404,
      'not_found',
      { article: ['not found'] },
    );
  });

  it('returns 404 when the comment does not exist on the article', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    await expectRefused(
      t,
      { method: 'DELETE', url: `${commentsUrl(slug)}/99999999`, headers: author.headers },
      404,
      'not_found',
      { comment: ['not found'] },
    );
  });

  it('returns 404 when the comment belongs to another article', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const other = await createArticle(t.app, author);
    const comment = await addComment(author, other.slug);
    await expectRefused(
      t,
      {
        method: 'DELETE',
        url: `${commentsUrl(slug)}/${String(comment.id)}`,
        headers: author.headers,
      },
      404,
      'not_found',
      { comment: ['not found'] },
    );
  });

  it('returns 422 when the id is not an integer', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    await expectRefused(
      t,
      { method: 'DELETE', url: `${commentsUrl(slug)}/abc`, headers: author.headers },
      422,
      'validation_failed',
      { id: ['must be integer'] },
    );
  });

  it('returns 401 without a token', async () => {
    const author = await registerUser(t.app);
    const { slug } = await createArticle(t.app, author);
    const comment = await addComment(author, slug);
    await expectRefused(
      t,
      { method: 'DELETE', url: `${commentsUrl(slug)}/${String(comment.id)}` },
      401,
      'token_missing',
      { token: ['is missing'] },
    );
  });
});
