import type { Logger } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { CeilingDatabase } from '../../bench/ceilings/ceiling-app.js';
import { statementNames } from '../../src/infrastructure/db/articles/article-queries.js';
import { preparedQuery } from '../../src/infrastructure/db/prepared.js';
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
  /** The list whose statements Keel runs for it, and whether the page is past the end. */
  readonly list: 'all' | 'tag' | 'author' | 'favorited' | 'feed';
  readonly pastEnd?: true;
}

/**
 * The requests the bare reads must answer as Keel does: every list, anonymous and with the
 * reader's token where Keel has both, the default page, short pages, a page that ends early and
 * pages past the end (whose total Keel reads on its own). `:author` and `:reader` stand for
 * usernames.
 */
export const BARE_CASES: readonly BareCase[] = [
  { path: '', viewer: 'anonymous', total: ARTICLES, list: 'all' },
  { path: '?limit=3', viewer: 'anonymous', total: ARTICLES, list: 'all' },
  { path: '?limit=3&offset=2', viewer: 'anonymous', total: ARTICLES, list: 'all' },
  { path: '?limit=50&offset=6', viewer: 'anonymous', total: ARTICLES, list: 'all' },
  {
    path: `?offset=${String(ARTICLES)}`,
    viewer: 'anonymous',
    total: ARTICLES,
    list: 'all',
    pastEnd: true,
  },
  { path: '', viewer: 'reader', total: ARTICLES, list: 'all' },
  {
    path: `?offset=${String(ARTICLES)}`,
    viewer: 'reader',
    total: ARTICLES,
    list: 'all',
    pastEnd: true,
  },
  { path: '?tag=bare', viewer: 'anonymous', total: 4, list: 'tag' },
  { path: '?tag=bare&limit=2&offset=1', viewer: 'reader', total: 4, list: 'tag' },
  { path: '?tag=bare&offset=4', viewer: 'anonymous', total: 4, list: 'tag', pastEnd: true },
  { path: '?author=:author', viewer: 'anonymous', total: 4, list: 'author' },
  { path: '?author=:author', viewer: 'reader', total: 4, list: 'author' },
  { path: '?favorited=:reader', viewer: 'anonymous', total: 2, list: 'favorited' },
  {
    path: '?favorited=:reader&offset=2',
    viewer: 'reader',
    total: 2,
    list: 'favorited',
    pastEnd: true,
  },
  { path: '/feed', viewer: 'reader', total: 3, list: 'feed' },
  { path: '/feed?limit=2&offset=1', viewer: 'reader', total: 3, list: 'feed' },
  { path: '/feed?offset=3', viewer: 'reader', total: 3, list: 'feed', pastEnd: true },
];

/**
 * The statements Keel runs for `request` (article-queries.ts `list`, account-repository.ts), by
 * the names it prepares them under: uncached, the token's account, the page for its audience, and
 * the total alone past the end; cached (`refs`), the page as references and the total (the
 * token's standing then comes from the account cache, read at most once, which the caller counts).
 */
function keelsStatements(
  { viewer, list, pastEnd }: BareCase,
  page: 'page' | 'refs' = 'page',
): string[] {
  return [
    ...(viewer === 'reader' && page === 'page' ? ['account_access'] : []),
    page === 'page' ? statementNames.page(list, viewer) : statementNames.refs(list, viewer),
    ...(pastEnd ? [statementNames.total(list)] : []),
  ];
}

/** Values noted as they come, and taken (and forgotten) all at once. */
function notebook(): { note: (value: string) => void; taken: () => string[] } {
  let noted: string[] = [];
  return {
    note: (value) => {
      noted.push(value);
    },
    taken: () => {
      const taken = noted;
      noted = [];
      return taken;
    },
  };
}

/** A Drizzle logger for Keel's database that notes the text of every statement Keel runs. */
export function recordingKeel(): {
  readonly logger: Logger;
  /** The texts noted since the last call. */
  readonly taken: () => string[];
} {
  const { note, taken } = notebook();
  return { logger: { logQuery: note }, taken };
}

/** A ceiling database that notes the name of every statement the bare reads run on it. */
export function recordingStatements(database: CeilingDatabase): {
  readonly database: CeilingDatabase;
  /** The names noted since the last call. */
  readonly taken: () => string[];
} {
  const { note, taken } = notebook();
  return {
    database: {
      ...database,
      run: (name, bindings) => {
        note(name);
        return database.run(name, bindings);
      },
    },
    taken,
  };
}

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
  // One article edited, so its `updatedAt` differs from its `createdAt`.
  const edited = await app.inject({
    method: 'PUT',
    url: `/api/v1/articles/${String(slugs[2])}`,
    headers: author.headers,
    payload: { article: { body: 'Edited' } },
  });
  expect(edited.statusCode).toBe(200);
  const card = edited.json<{ article: { createdAt: string; updatedAt: string } }>().article;
  expect(card.updatedAt).not.toBe(card.createdAt);
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

/** What the statements run since the last call were: the bare reads' names, Keel's texts. */
export interface TakenStatements {
  readonly bare: () => string[];
  /** Only where Keel's database has a recording logger (`recordingKeel`). */
  readonly keel?: () => string[];
}

/**
 * The bare read's answer to `request` is Keel's, byte for byte, and it ran the statements
 * Keel's list code runs for it uncached (`keelsStatements`). Where Keel's own statements are
 * recorded, Keel ran the same with its cards cached (spec.md §5): the page as references, and
 * the cards it lacked apart.
 */
export async function expectKeelsPage(
  keel: FastifyInstance,
  bare: FastifyInstance,
  taken: TakenStatements,
  world: BareWorld,
  request: BareCase,
): Promise<void> {
  const path = request.path
    .replace(':author', world.author.username)
    .replace(':reader', world.reader.username);
  const headers = request.viewer === 'reader' ? world.reader.headers : {};
  taken.bare();
  taken.keel?.();
  const [bares, keels] = await Promise.all([
    bare.inject({ method: 'GET', url: `/bare/articles${path}`, headers }),
    keel.inject({ method: 'GET', url: `/api/v1/articles${path}`, headers }),
  ]);
  expect(keels.statusCode).toBe(200);
  expect(bares.statusCode).toBe(200);
  expect(bares.body).toBe(keels.body);
  expect(bares.json<{ articlesCount: number }>().articlesCount).toBe(request.total);
  const expected = keelsStatements(request);
  expect(taken.bare()).toEqual(expected);
  if (taken.keel !== undefined) {
    const cards = preparedQuery('article_cards_by_slug')?.sql;
    const access = preparedQuery('account_access')?.sql;
    const keels = taken.keel();
    expect(keels.filter((text) => text !== cards && text !== access)).toEqual(
      keelsStatements(request, 'refs').map((name) => preparedQuery(name)?.sql),
    );
    // At most one read of the cards the cache lacks, and none for a page with no article.
    expect(keels.filter((text) => text === cards).length).toBeLessThanOrEqual(
      request.pastEnd ? 0 : 1,
    );
    // At most one read of the token's standing, before it is cached, and none without a token.
    expect(keels.filter((text) => text === access).length).toBeLessThanOrEqual(
      request.viewer === 'reader' ? 1 : 0,
    );
  }
}

/**
 * The bare reads refuse the tokens Keel refuses (none for the feed, a bad one, a revoked one),
 * and the lists they do not serve (several filters, a name no row can match).
 */
export async function expectRefusals(
  keel: FastifyInstance,
  bare: FastifyInstance,
  world: BareWorld,
): Promise<void> {
  const statuses = async (path: string, authorization?: string) => {
    const headers = authorization === undefined ? {} : { authorization };
    const [bares, keels] = await Promise.all([
      bare.inject({ method: 'GET', url: `/bare/articles${path}`, headers }),
      keel.inject({ method: 'GET', url: `/api/v1/articles${path}`, headers }),
    ]);
    return { bare: bares.statusCode, keel: keels.statusCode };
  };
  const revoked = await registerUser(keel);
  expect(await statuses('/feed', revoked.headers.authorization)).toEqual({ bare: 200, keel: 200 });
  const loggedOut = await keel.inject({
    method: 'POST',
    url: '/api/v1/user/logout-all',
    headers: revoked.headers,
  });
  expect(loggedOut.statusCode).toBe(204);

  const refused = { bare: 401, keel: 401 };
  expect(await statuses('/feed')).toEqual(refused);
  expect(await statuses('', 'Token not-a-token')).toEqual(refused);
  expect(await statuses('', revoked.headers.authorization)).toEqual(refused);
  expect(await statuses('/feed', world.reader.headers.authorization)).toEqual({
    bare: 200,
    keel: 200,
  });

  const unserved = { bare: 400, keel: 200 };
  expect(await statuses(`?tag=bare&author=${world.author.username}`)).toEqual(unserved);
  expect(await statuses('?author=no%20such%20name')).toEqual(unserved);
}
