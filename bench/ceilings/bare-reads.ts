import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { tokenOf } from '../../src/core/http/auth.js';
import { createTokenService } from '../../src/core/security/tokens.js';
import {
  honours,
  type TokenId,
  type TokenVersion,
} from '../../src/domain/identity/token-version.js';
import { listFilterOf } from '../../src/domain/articles/article-reader.js';
import { UnauthenticatedError } from '../../src/domain/shared/errors.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import { pageOf } from '../../src/domain/shared/pagination.js';
import {
  createArticleQueries,
  statementNames,
  type ListKind,
} from '../../src/infrastructure/db/articles/article-queries.js';
import type { Database } from '../../src/infrastructure/db/database.js';
import { createAccountRepository } from '../../src/infrastructure/db/identity/account-repository.js';
import type { Bindings } from '../../src/infrastructure/db/prepared.js';
import {
  ArticleListQuery,
  FeedQuery,
  MultipleArticlesResponse,
} from '../../src/schemas/article.js';

/**
 * The list reads served bare: for each request, the statements Keel runs for it (the account
 * check for a token, then the page, then the total alone for a page past the end), taken by the
 * names Keel prepares them under and run straight on the driver, their rows mapped to cards by
 * position and written through Keel's response schema. What is left out is what Keel adds around
 * them: its hooks (request id, access control, security headers, metrics, the request context),
 * its TypeBox validator (Fastify's own Ajv checks the query), Drizzle's session, the read retry
 * and the domain's layers. The bench runs Keel's list scenarios against these routes, the same
 * requests under `/bare` instead of `/api/v1` (bench/load/scenarios.ts).
 *
 * They serve the lists the bench reads: at most one filter, naming a tag or a user that can
 * exist. Anything else is refused (400): Keel answers several filters with another statement and
 * an impossible name without asking the database (article-reader.ts), which a floor of these
 * statements does not measure.
 */

/** Runs the statement Keel prepared as `name` with `bindings`: its rows as arrays. */
export type RunStatement = (name: string, bindings: Bindings) => Promise<unknown[][]>;

/** Where a page row carries the list's total: after the card's 12 columns (`toPage`). */
const TOTAL_COLUMN = 12;

/** `account_access`'s columns, in its select's order (account-repository.ts). */
type AccessRow = readonly [
  role: string,
  status: string,
  tokenVersion: TokenVersion,
  keptTokenId: TokenId | null,
];

/** A list request the bare reads do not serve (see above). */
class UnservedListError extends Error {
  readonly statusCode = 400;
}

/**
 * Builds the statements on `db` with Keel's own query code, so that `run` can take them by name;
 * building runs nothing.
 */
export function prepareKeelStatements(db: Database): void {
  createArticleQueries(db);
  createAccountRepository(db);
}

/**
 * Rows of Keel's page statement as cards, by position: the card columns in `cardColumns`' order
 * (article-queries.ts), then the list's total (`TOTAL_COLUMN`). The tests in
 * tests/integration/bare-reads.test.ts and tests/system/bare-reads.test.ts check that the pages
 * equal Keel's.
 */
function toPage(rows: readonly unknown[][], total: number): MultipleArticlesResponse {
  const articles = rows.map((row) => ({
    slug: row[0] as string,
    title: row[1] as string,
    description: row[2] as string,
    createdAt: row[3] as Date,
    updatedAt: row[4] as Date,
    favoritesCount: row[5] as number,
    favorited: row[6] as boolean,
    tagList: row[7] as string[],
    author: {
      username: row[8] as string,
      bio: row[9] as string | null,
      image: row[10] as string | null,
      following: row[11] as boolean,
    },
  }));
  return { articles, articlesCount: total };
}

/**
 * The list a query names, as Keel's reader (`listFilterOf`) and queries (`list`) pick it;
 * refused unless it is one of the lists served here.
 */
function kindOf(query: ArticleListQuery): { kind: ListKind; filter: string | undefined } {
  const filter = listFilterOf(query);
  if (filter === undefined) {
    throw new UnservedListError('a filter no row can match: Keel answers it without a statement');
  }
  const { author, tag, favoritedBy } = filter;
  if ([author, tag, favoritedBy].filter((value) => value !== undefined).length > 1) {
    throw new UnservedListError('bare reads take one filter at most');
  }
  if (author !== undefined) return { kind: 'author', filter: author };
  if (tag !== undefined) return { kind: 'tag', filter: tag };
  if (favoritedBy !== undefined) return { kind: 'favorited', filter: favoritedBy };
  return { kind: 'all', filter: undefined };
}

/**
 * Adds `GET /bare/articles` and `GET /bare/articles/feed` to `app`, running Keel's statements
 * through `run` and checking tokens signed with `tokenSecret`.
 */
export function addBareReads(app: FastifyInstance, run: RunStatement, tokenSecret: string): void {
  // It only verifies: the lifetime is that of tokens it would issue, and it issues none.
  const tokens = createTokenService(tokenSecret, 86_400);

  /** Each request's reader, once `authenticate` has checked its token. */
  const readers = new WeakMap<FastifyRequest, UserId>();

  /**
   * Notes the reader a request's token names, checked as Keel checks it
   * (`AccountService.authenticate`), and, like Keel, in a hook before the query is validated.
   */
  async function authenticate(request: FastifyRequest): Promise<void> {
    const token = tokenOf(request);
    if (token === undefined) return;
    const claims = await tokens.verify(token);
    const [row] = (await run('account_access', {
      viewer: claims.userId,
    })) as unknown as AccessRow[];
    if (row?.[1] !== 'active' || !honours({ tokenVersion: row[2], keptTokenId: row[3] }, claims)) {
      throw new UnauthenticatedError('invalid');
    }
    readers.set(request, claims.userId);
  }

  async function page(kind: ListKind, bindings: Bindings): Promise<MultipleArticlesResponse> {
    const audience = bindings.viewer === undefined ? 'anonymous' : 'reader';
    const rows = await run(statementNames.page(kind, audience), bindings);
    // A page past the end has no row to carry the total: it is read on its own, as Keel does.
    const total =
      rows[0]?.[TOTAL_COLUMN] ?? (await run(statementNames.total(kind), bindings))[0]?.[0];
    return toPage(rows, Number(total ?? 0));
  }

  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  // A refused token is a 401 without a body (Keel's carries its error); the bench sends none.
  app.setErrorHandler((error, _request, reply) =>
    error instanceof UnauthenticatedError ? reply.code(401).send() : reply.send(error),
  );
  typed.get(
    '/bare/articles',
    {
      onRequest: authenticate,
      schema: { querystring: ArticleListQuery, response: { 200: MultipleArticlesResponse } },
    },
    async (request) => {
      const { kind, filter } = kindOf(request.query);
      return page(kind, { viewer: readers.get(request), filter, ...pageOf(request.query) });
    },
  );
  typed.get(
    '/bare/articles/feed',
    {
      onRequest: authenticate,
      schema: { querystring: FeedQuery, response: { 200: MultipleArticlesResponse } },
    },
    async (request) => {
      const viewer = readers.get(request);
      if (viewer === undefined) throw new UnauthenticatedError('missing');
      return page('feed', { viewer, filter: undefined, ...pageOf(request.query) });
    },
  );
}
