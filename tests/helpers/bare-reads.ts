import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createArticle, registerUser, type RegisteredUser } from './factories.js';

/** The people of `publishForBareReads`: two authors, and a reader who follows and favorites. */
export interface BareWorld {
  readonly author: RegisteredUser;
  readonly other: RegisteredUser;
  readonly reader: RegisteredUser;
}

/** How many articles `publishForBareReads` publishes. */
const ARTICLES = 7;

/** One request to a list read: its path after `/articles`, whose token, and its total. */
interface BareCase {
  readonly path: string;
  readonly viewer: 'anonymous' | 'reader';
  readonly total: number;
}

/**
 * The requests the bare reads must answer as Keel does: every list, anonymous and with the
 * reader's token where Keel has both, the default page, short pages, a page that ends early and
 * pages past the end (whose total Keel reads on its own). `:author` and `:reader` stand for
 * usernames.
 */
export const BARE_CASES: readonly BareCase[] = [
  { path: '', viewer: 'anonymous', total: ARTICLES },
  { path: '?limit=3', viewer: 'anonymous', total: ARTICLES },
  { path: '?limit=3&offset=2', viewer: 'anonymous', total: ARTICLES },
  { path: '?limit=50&offset=6', viewer: 'anonymous', total: ARTICLES },
  { path: `?offset=${String(ARTICLES)}`, viewer: 'anonymous', total: ARTICLES },
  { path: '', viewer: 'reader', total: ARTICLES },
  { path: `?offset=${String(ARTICLES)}`, viewer: 'reader', total: ARTICLES },
  { path: '?tag=bare', viewer: 'anonymous', total: 4 },
  { path: '?tag=bare&limit=2&offset=1', viewer: 'reader', total: 4 },
  { path: '?tag=bare&offset=4', viewer: 'anonymous', total: 4 },
  { path: '?author=:author', viewer: 'anonymous', total: 4 },
  { path: '?author=:author', viewer: 'reader', total: 4 },
  { path: '?favorited=:reader', viewer: 'anonymous', total: 2 },
  { path: '?favorited=:reader&offset=2', viewer: 'reader', total: 2 },
  { path: '/feed', viewer: 'reader', total: 3 },
  { path: '/feed?limit=2&offset=1', viewer: 'reader', total: 3 },
  { path: '/feed?offset=3', viewer: 'reader', total: 3 },
];

/**
 * Publishes through Keel's API what makes cards differ: two authors, one without a bio or an
 * image and one with both (a bio that needs escaping), articles with and without tags, and a
 * reader who follows the second author and favorites two articles.
 */
export async function publishForBareReads(app: FastifyInstance): Promise<BareWorld> {
  const [author, other, reader] = [
    await registerUser(app),
    await registerUser(app),
    await registerUser(app),
  ];
  const slugs: string[] = [];
  for (let i = 0; i < ARTICLES; i++) {
    const article = await createArticle(app, i % 2 === 0 ? author : other, {
      tagList: i % 3 === 0 ? [] : ['bare', `tag-${String(i)}`],
    });
    slugs.push(article.slug);
  }
  const byReader = async (url: string) => {
    const response = await app.inject({ method: 'POST', url, headers: reader.headers });
    expect(response.statusCode).toBe(200);
  };
  await byReader(`/api/v1/profiles/${other.username}/follow`);
  for (const slug of [slugs[0], slugs[5]])
    await byReader(`/api/v1/articles/${String(slug)}/favorite`);
  const updated = await app.inject({
    method: 'PUT',
    url: '/api/v1/user',
    headers: other.headers,
    payload: { user: { bio: 'Writes "quoted" text', image: 'https://example.com/a.png' } },
  });
  expect(updated.statusCode).toBe(200);
  return { author, other, reader };
}

/** The bare read's answer to `request` is Keel's, byte for byte. */
export async function expectKeelsPage(
  keel: FastifyInstance,
  bare: FastifyInstance,
  world: BareWorld,
  request: BareCase,
): Promise<void> {
  const path = request.path
    .replace(':author', world.author.username)
    .replace(':reader', world.reader.username);
  const headers = request.viewer === 'reader' ? world.reader.headers : {};
  const [bares, keels] = await Promise.all([
    bare.inject({ method: 'GET', url: `/bare/articles${path}`, headers }),
    keel.inject({ method: 'GET', url: `/api/v1/articles${path}`, headers }),
  ]);
  expect(keels.statusCode).toBe(200);
  expect(bares.statusCode).toBe(200);
  expect(bares.body).toBe(keels.body);
  expect(bares.json<{ articlesCount: number }>().articlesCount).toBe(request.total);
}

/** The bare reads refuse what Keel refuses: no token for the feed, a bad or a revoked token. */
export async function expectRefusals(
  keel: FastifyInstance,
  bare: FastifyInstance,
  world: BareWorld,
): Promise<void> {
  const status = async (url: string, authorization?: string) =>
    (
      await bare.inject({
        method: 'GET',
        url,
        headers: authorization === undefined ? {} : { authorization },
      })
    ).statusCode;
  const revoked = await registerUser(keel);
  expect(await status('/bare/articles/feed', revoked.headers.authorization)).toBe(200);
  const loggedOut = await keel.inject({
    method: 'POST',
    url: '/api/v1/user/logout-all',
    headers: revoked.headers,
  });
  expect(loggedOut.statusCode).toBe(204);

  expect(await status('/bare/articles/feed')).toBe(401);
  expect(await status('/bare/articles', 'Token not-a-token')).toBe(401);
  expect(await status('/bare/articles', revoked.headers.authorization)).toBe(401);
  expect(await status('/bare/articles/feed', world.reader.headers.authorization)).toBe(200);
}
