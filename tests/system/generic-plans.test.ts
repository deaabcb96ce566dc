import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heaviestParameters } from '../../bench/plans/heaviest.js';
import { BENCH_PASSWORD } from '../../bench/seed/bench-password.js';
import { DATASET_SIZES } from '../../bench/seed/dataset-sizes.js';
import { openPostgresSeedConnection } from '../../bench/seed/seed-connection.js';
import { seedDatabase } from '../../bench/seed/seed-database.js';
import { buildApp } from '../../src/core/app.js';
import type { ArticleFilter } from '../../src/domain/articles/ports.js';
import type { UserId } from '../../src/domain/shared/ids.js';
import type { Username } from '../../src/domain/shared/username.js';
import { createArticleQueries } from '../../src/infrastructure/db/articles/article-queries.js';
import { testConfig, TEST_TOKEN_SECRET } from '../helpers/app.js';
import { createTestPostgres, type TestPostgres } from './postgres.js';

/** The prepared statements behind the hot reads. */
const HOT_STATEMENTS = [
  'account_access',
  'article_by_slug_anonymous',
  'article_by_slug_reader',
  'article_cards_by_slug',
  'article_id_by_slug',
  'articles_page_all_anonymous',
  'articles_page_all_reader',
  'articles_page_author_anonymous',
  'articles_page_author_reader',
  'articles_page_favorited_anonymous',
  'articles_page_favorited_reader',
  'articles_page_feed_reader',
  'articles_page_tag_anonymous',
  'articles_page_tag_reader',
  'articles_refs_all_anonymous',
  'articles_refs_all_reader',
  'articles_refs_author_anonymous',
  'articles_refs_author_reader',
  'articles_refs_favorited_anonymous',
  'articles_refs_favorited_reader',
  'articles_refs_feed_reader',
  'articles_refs_tag_anonymous',
  'articles_refs_tag_reader',
  'comments_by_article_anonymous',
  'comments_by_article_reader',
  'profile_anonymous',
  'profile_reader',
  'tags_in_use',
];

const PAGE = { limit: 20, offset: 0 };

/** More than the five custom plans PostgreSQL makes before it weighs the generic one. */
const ROUNDS = 8;

const SILENT = { bar: () => () => undefined, stop: () => undefined };

/**
 * Whether PostgreSQL keeps a generic plan depends on the planner's estimates, so on the sizes
 * of the tables: on a few rows a plain LIMIT parameter costs nothing and every shape passes.
 * The database is the bench's size S (1 000 users, 10 000 articles), loaded by its seeder.
 */
describe.runIf(process.env.TEST_DATABASE_URL !== undefined)('hot statements on PostgreSQL', () => {
  let postgres: TestPostgres;
  let app: FastifyInstance;
  beforeAll(async () => {
    // One connection: pg_prepared_statements describes the session that asks.
    postgres = await createTestPostgres(1);
    const seeding = await openPostgresSeedConnection(postgres.url);
    try {
      await seedDatabase(seeding, DATASET_SIZES.s, 1, SILENT);
    } finally {
      await seeding.close();
    }
    app = await buildApp({
      config: testConfig,
      database: postgres.handle,
      tokenSecret: TEST_TOKEN_SECRET,
    });
    await app.ready();
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await postgres.drop();
  });

  it('each end on a generic plan, so PostgreSQL plans it once per connection', async () => {
    const { db } = postgres.handle;
    const queries = createArticleQueries(db);
    const {
      tag,
      author,
      favoriter,
      reader: heavy,
      commented: { slug },
    } = await heaviestParameters(db);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/users/login',
      payload: { user: { email: heavy.email, password: BENCH_PASSWORD } },
    });
    expect(login.statusCode).toBe(200);
    const reader = {
      authorization: `Token ${login.json<{ user: { token: string } }>().user.token}`,
    };

    const reads = [
      '/api/v1/articles?limit=20',
      '/api/v1/articles?limit=10&offset=40',
      `/api/v1/articles?tag=${tag}`,
      `/api/v1/articles?author=${author}`,
      `/api/v1/articles?favorited=${favoriter}`,
      `/api/v1/articles/${slug}`,
      `/api/v1/articles/${slug}/comments`,
      `/api/v1/profiles/${author}`,
      '/api/v1/tags',
    ];
    for (let round = 0; round < ROUNDS; round++) {
      const requests = [
        ...reads.flatMap((url) => [
          { url, headers: {} },
          { url, headers: reader },
        ]),
        { url: '/api/v1/articles/feed', headers: reader },
        { url: '/api/v1/articles/feed?offset=40', headers: reader },
      ];
      for (const { url, headers } of requests) {
        const response = await app.inject({ method: 'GET', url, headers });
        expect(response.statusCode, url).toBe(200);
      }
      // The lists as the card cache reads them (spec.md §5), which Keel does with Redis only.
      const viewer = heavy.id as UserId;
      const filters: ArticleFilter[] = [
        {},
        { tag },
        { author: author as Username },
        { favoritedBy: favoriter as Username },
      ];
      for (const filter of filters) {
        for (const who of [undefined, viewer]) await queries.listRefs(filter, PAGE, who);
      }
      const feed = await queries.feedRefs(viewer, PAGE);
      await queries.cards(feed.refs.map((ref) => ref.slug));
    }

    const statements = await db
      .select({
        name: sql<string>`name`,
        generic: sql<number>`generic_plans`.mapWith(Number),
        custom: sql<number>`custom_plans`.mapWith(Number),
      })
      // sql: the session's own prepared statements, with how often each kind of plan ran.
      .from(sql`pg_prepared_statements`);
    const plans = new Map(
      statements.map(({ name, generic, custom }) => [name, { generic, custom }]),
    );
    for (const name of HOT_STATEMENTS) {
      // The five custom plans made first are all it ever makes.
      expect(plans.get(name), name).toMatchObject({ custom: 5 });
      expect(plans.get(name)?.generic, name).toBeGreaterThan(0);
    }
  });
});
