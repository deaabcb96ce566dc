import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { currentRequestStart } from '../../src/core/request-context.js';
import {
  connectPostgres,
  type DatabaseHandle,
  type PostgresOptions,
} from '../../src/infrastructure/db/database.js';
import { TEST_APP_OPTIONS } from '../helpers/app.js';
import { registerUser, unique, type RegisteredUser } from '../helpers/factories.js';
import { startLatencyProxy, type LatencyProxy } from '../helpers/latency-proxy.js';
import {
  startPostgresFaultProxy,
  type PostgresFaultProxy,
} from '../helpers/postgres-fault-proxy.js';
import {
  createPostgresWithArticle,
  createTestPostgres,
  openEveryConnection,
  poolWarnings,
  SHORT_BOUNDS,
  type TestPostgres,
} from './postgres.js';
import { eventually } from './redis-server.js';

/**
 * PostgreSQL slow rather than gone (spec.md §4, the CAP paragraph; §6, 503): every answer comes
 * late through a latency proxy. Below the bounds Keel serves as usual; a pool that has no
 * connection free within the connect timeout answers 503, as does an answer later than
 * `query_timeout`; and once the answers are fast again every connection serves, none left behind.
 */

const enabled = process.env.TEST_DATABASE_URL !== undefined;

const QUERY_TIMEOUT_MS = SHORT_BOUNDS.statementTimeoutMs + SHORT_BOUNDS.connectionTimeoutMs;
// The sessions Keel opens through the proxy, told apart from the test's own in pg_stat_activity.
const APPLICATION_NAME = 'keel-latency-test';

describe.runIf(enabled)('a slow network to PostgreSQL', { timeout: 60_000 }, () => {
  let database: TestPostgres;
  let author: RegisteredUser;
  let slug: string;
  let proxy: LatencyProxy;
  let pool: DatabaseHandle;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ database, author, slug } = await createPostgresWithArticle());
  });

  afterAll(async () => {
    await database.drop();
  });

  /** Keel on a pool of `size` connections through a fresh proxy, every connection opened. */
  async function start(
    size: number,
    bounds: Omit<PostgresOptions, 'url' | 'poolSize'> = SHORT_BOUNDS,
  ): Promise<void> {
    const target = new URL(database.url);
    proxy = await startLatencyProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    url.searchParams.set('application_name', APPLICATION_NAME);
    pool = connectPostgres(
      { url: url.toString(), poolSize: size, ...bounds },
      poolWarnings,
      currentRequestStart,
    );
    app = await buildApp({ ...TEST_APP_OPTIONS, database: pool });
    await openEveryConnection(app, size);
  }

  afterEach(async () => {
    proxy.delay({ toServer: 0, toClient: 0 });
    await app.close();
    await pool.close();
    await proxy.close();
  });

  const get = (url: string): Promise<LightMyRequestResponse> => app.inject({ method: 'GET', url });
  const edit = (description: string): Promise<LightMyRequestResponse> =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/articles/${slug}`,
      headers: author.headers,
      payload: { article: { description } },
    });

  /** The request's answer and how long it took. */
  async function timed(
    request: Promise<LightMyRequestResponse>,
  ): Promise<{ response: LightMyRequestResponse; ms: number }> {
    const started = performance.now();
    const response = await request;
    return { response, ms: performance.now() - started };
  }

  /** Server sessions Keel's pool holds, read on a connection of the test's own. */
  async function keelSessions(): Promise<number> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ sessions: number }>(
        'select count(*)::int as sessions from pg_stat_activity where application_name = $1',
        [APPLICATION_NAME],
      );
      return rows[0]?.sessions ?? 0;
    } finally {
      await client.end();
    }
  }

  function expectUnavailable(response: LightMyRequestResponse): void {
    expect(response.statusCode, response.body).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'service_unavailable' } });
    expect(response.headers['retry-after']).toBe('5');
  }

  it('serves reads, writes and readiness when every answer comes 300 ms late', async () => {
    await start(3);
    proxy.delay({ toClient: 300 });
    // Each request waits at least one late answer, but no answer comes near a bound.
    const answers = await Promise.all([
      timed(get('/api/v1/tags')),
      timed(edit('written on a slow network')),
      timed(get('/health/ready')),
    ]);
    for (const { response, ms } of answers) {
      expect(response.statusCode, response.body).toBe(200);
      expect(ms).toBeGreaterThanOrEqual(300);
    }
    const [, , ready] = answers;
    expect(ready.response.json()).toMatchObject({ status: 'ready' });
    const read = await get(`/api/v1/articles/${slug}`);
    expect(read.json()).toMatchObject({ article: { description: 'written on a slow network' } });
  });

  it('serves an answer later than the statement timeout but within query_timeout', async () => {
    // statement_timeout runs on the server's clock, which the network's delay does not touch:
    // only query_timeout (3 s here) gives up on a late answer.
    await start(2, { statementTimeoutMs: 500, connectionTimeoutMs: 2_500 });
    proxy.delay({ toClient: 1_200 });
    const { response, ms } = await timed(get('/api/v1/tags'));
    expect(response.statusCode, response.body).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(1_200);
  });

  it('answers 503 to a request whose statements together outlast its time, and keeps nothing of its write', async () => {
    // Each answer comes 400 ms late: one statement is far inside query_timeout (2 s), but an
    // edit's round trips (the account, BEGIN, the article's lock, the update, its event, COMMIT)
    // add up past the request's 1.5 s.
    const requestTimeoutMs = 1_500;
    await start(3, { ...SHORT_BOUNDS, requestTimeoutMs });
    proxy.delay({ toClient: 400 });
    const read = await get('/api/v1/tags');
    expect(read.statusCode, read.body).toBe(200);
    const { response, ms } = await timed(edit('past its time'));
    expectUnavailable(response);
    // Not a performance assertion: a statement sent with time left waits at most that, after at
    // most a connect timeout for a connection, so the request ends by their sum.
    expect(ms).toBeLessThan(requestTimeoutMs + SHORT_BOUNDS.connectionTimeoutMs + 1_000);

    proxy.delay({ toClient: 0 });
    const after = await get(`/api/v1/articles/${slug}`);
    expect(after.json()).not.toMatchObject({ article: { description: 'past its time' } });
    const again = await edit('in time');
    expect(again.statusCode, again.body).toBe(200);
  });

  it('queues requests beyond the pool, and answers 503 to those not served within the connect timeout, while readiness stays ready', async () => {
    await start(2);
    proxy.delay({ toClient: 400 });
    // Each read holds one of the two connections for at least 400 ms, and a request waits 1 s
    // for one: even if the requests reached the pool spread over 500 ms, no more than five reads
    // per connection could start in time, so of 16 at least six are refused. None waits longer
    // than that for its refusal, none is a 500.
    const reads = Promise.all(Array.from({ length: 16 }, () => timed(get('/api/v1/tags'))));
    // Readiness asks on its own connection: the database is only slow, so the instance stays in
    // the balancer while it refuses what its pool can't take (spec.md §10).
    const ready = await get('/health/ready');
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'database', ready: true },
        { name: 'migrations', ready: true },
      ],
    });
    const answers = await reads;
    const statuses = answers.map(({ response }) => response.statusCode);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    const refused = answers.filter(({ response }) => response.statusCode === 503);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    for (const { response, ms } of refused) {
      expectUnavailable(response);
      // Not a performance assertion: refused at the connect timeout, not after a statement's.
      expect(ms).toBeLessThan(QUERY_TIMEOUT_MS);
    }
    // The queue drained; the pool kept its two connections and serves them all again.
    expect(pool.poolStats()).toMatchObject({ waiting: 0 });
    proxy.delay({ toClient: 0 });
    const after = await Promise.all([
      get('/api/v1/tags'),
      edit('after the queue'),
      get('/api/v1/tags'),
    ]);
    expect(after.map((response) => response.statusCode)).toEqual([200, 200, 200]);
  });

  it('answers 503 at query_timeout to answers later than it, keeps nothing, and serves again once they are fast', async () => {
    // A connection for each request, so each waits for its own answer, none for the pool.
    await start(3);
    proxy.delay({ toClient: 6_000 });
    const [read, write, ready] = await Promise.all([
      timed(get('/api/v1/tags')),
      timed(edit('lost on a slow network')),
      timed(get('/health/ready')),
    ]);
    for (const { response, ms } of [read, write]) {
      expectUnavailable(response);
      // Given up on at query_timeout, long before the answer would have come (not a performance
      // assertion: the upper bound only shows the late answer was not waited for).
      expect(ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(QUERY_TIMEOUT_MS + 2_000);
    }
    expect(ready.response.statusCode).toBe(503);
    expect(ready.response.json()).toMatchObject({ status: 'not_ready' });

    proxy.delay({ toClient: 0 });
    // Every connection that timed out was closed, its session ended, none pooled again.
    await eventually(async () => (await keelSessions()) === 0, 15_000);
    const after = await Promise.all([get(`/api/v1/articles/${slug}`), get('/health/ready')]);
    expect(after.map((response) => response.statusCode)).toEqual([200, 200]);
    // The edit given up on kept nothing.
    expect(after[0].json()).not.toMatchObject({
      article: { description: 'lost on a slow network' },
    });
    const edits = await Promise.all([edit('after 1'), edit('after 2'), edit('after 3')]);
    expect(edits.map((response) => response.statusCode)).toEqual([200, 200, 200]);
    // The pool's three and readiness's own.
    expect(await keelSessions()).toBeLessThanOrEqual(4);
  });
});

describe.runIf(enabled)('a commit answered later than query_timeout', { timeout: 60_000 }, () => {
  let database: TestPostgres;
  let proxy: PostgresFaultProxy;
  let pool: DatabaseHandle;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestPostgres();
    proxy = await startPostgresFaultProxy(database.url);
    pool = connectPostgres({ url: proxy.url, poolSize: 2, ...SHORT_BOUNDS }, poolWarnings);
    app = await buildApp({ ...TEST_APP_OPTIONS, database: pool });
  });

  afterAll(async () => {
    await app.close();
    await pool.close();
    await proxy.close();
    await database.drop();
  });

  it('never runs again a write whose commit went unanswered: it committed once', async () => {
    const author = await registerUser(app);
    const title = unique('Unanswered');
    proxy.slowAnswersFrom((sql) => /^\s*commit\b/i.test(sql), 10_000);
    const lost = await app.inject({
      method: 'POST',
      url: '/api/v1/articles',
      headers: author.headers,
      payload: { article: { title, description: 'd', body: 'b' } },
    });
    proxy.slowAnswersFrom(() => false, 0);
    expect(lost.statusCode, lost.body).toBe(503);
    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/articles?author=${author.username}`,
    });
    expect(list.json()).toMatchObject({ articlesCount: 1, articles: [{ title }] });
  });

  it('answers 503 for a write of unknown outcome, and its retry under the same Idempotency-Key replays the answer', async () => {
    const author = await registerUser(app);
    const title = unique('Late_commit');
    const key = unique('late-commit');
    const publish = (): Promise<LightMyRequestResponse> =>
      app.inject({
        method: 'POST',
        url: '/api/v1/articles',
        headers: { ...author.headers, 'idempotency-key': key },
        payload: { article: { title, description: 'd', body: 'b' } },
      });
    // The COMMIT reaches the server and commits; its answer would come long after query_timeout.
    proxy.slowAnswersFrom((sql) => /^\s*commit\b/i.test(sql), 10_000);
    const lost = await publish();
    expect(lost.statusCode, lost.body).toBe(503);
    expect(lost.json()).toMatchObject({ error: { code: 'service_unavailable' } });
    proxy.slowAnswersFrom(() => false, 0);

    // The write had committed, with its key's answer: the client's retry replays it and writes
    // nothing more, where a retry without the key would have published the article twice.
    const retry = await publish();
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const list = await app.inject({
      method: 'GET',
      url: `/api/v1/articles?author=${author.username}`,
    });
    expect(list.json()).toMatchObject({ articlesCount: 1, articles: [{ title }] });
    // The connection that lost its answer was closed: both of the pool's serve.
    expect(pool.poolStats()).toMatchObject({ waiting: 0 });
    const after = await Promise.all([
      publish(),
      app.inject({ method: 'GET', url: '/api/v1/tags' }),
    ]);
    expect(after.map((response) => response.statusCode)).toEqual([201, 200]);
  });
});
