import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createArticle, registerUser } from './factories.js';

/** How many articles `publishForCeiling` publishes. */
export const CEILING_ARTICLES = 7;

/**
 * The pages the bench's list ceiling must answer as Keel does: the default, short pages, a
 * page that ends early and one past the end (whose total Keel reads on its own).
 */
export const CEILING_QUERIES = [
  '',
  '?limit=3',
  '?limit=3&offset=2',
  '?limit=50&offset=6',
  `?offset=${String(CEILING_ARTICLES)}`,
];

/**
 * Publishes through Keel's API what makes cards differ: two authors, one without a bio or an
 * image and one with both (a bio that needs escaping), and articles with and without tags.
 */
export async function publishForCeiling(app: FastifyInstance): Promise<void> {
  const [author, other] = [await registerUser(app), await registerUser(app)];
  for (let i = 0; i < CEILING_ARTICLES; i++) {
    await createArticle(app, i % 2 === 0 ? author : other, {
      tagList: i % 3 === 0 ? [] : ['ceiling', `tag-${String(i)}`],
    });
  }
  const updated = await app.inject({
    method: 'PUT',
    url: '/api/v1/user',
    headers: other.headers,
    payload: { user: { bio: 'Writes "quoted" text', image: 'https://example.com/a.png' } },
  });
  expect(updated.statusCode).toBe(200);
}

/** The ceiling's page for `query` is Keel's, byte for byte. */
export async function expectKeelsPage(
  keel: FastifyInstance,
  ceiling: FastifyInstance,
  query: string,
): Promise<void> {
  const [bare, keels] = await Promise.all([
    ceiling.inject({ method: 'GET', url: `/list-page${query}` }),
    keel.inject({ method: 'GET', url: `/api/v1/articles${query}` }),
  ]);
  expect(keels.statusCode).toBe(200);
  expect(bare.statusCode).toBe(200);
  expect(bare.body).toBe(keels.body);
  expect(bare.json<{ articlesCount: number }>().articlesCount).toBe(CEILING_ARTICLES);
}
