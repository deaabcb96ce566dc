import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, rowCounts, type TestApp } from '../helpers/app.js';
import { createArticle, registerUser } from '../helpers/factories.js';

/** Query-string and path numbers are whole numbers or a 422: never rounded, never coerced. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('integer query and path parameters', () => {
  it.each(['2.7', 'true', '1e1', '0x10', '', ' 1', '1,2'])(
    'returns 422 for limit=%j instead of coercing it',
    async (limit) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/v1/articles?limit=${encodeURIComponent(limit)}`,
      });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        errors: { limit: ['must be integer'] },
        error: { code: 'validation_failed' },
      });
    },
  );

  it('returns 422 for a repeated limit', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/articles?limit=1&limit=2' });
    expect(response.statusCode).toBe(422);
  });

  it.each(['1.9', 'true', '1e0'])('does not delete comment 1 for id %j', async (id) => {
    const author = await registerUser(t.app);
    const article = await createArticle(t.app, author);
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/v1/articles/${article.slug}/comments`,
      headers: author.headers,
      payload: { comment: { body: 'keep me' } },
    });
    const { comment } = created.json();
    const before = await rowCounts(t.db);
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/articles/${article.slug}/comments/${id.replace('1', String(comment.id))}`,
      headers: author.headers,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      errors: { id: ['must be integer'] },
      error: { code: 'validation_failed' },
    });
    expect(await rowCounts(t.db)).toEqual(before);
  });
});
