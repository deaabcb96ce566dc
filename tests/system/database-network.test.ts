import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { connectPostgres, type DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { TEST_APP_OPTIONS } from '../helpers/app.js';
import type { RegisteredUser } from '../helpers/factories.js';
import {
  startPostgresFaultProxy,
  type PostgresFaultProxy,
} from '../helpers/postgres-fault-proxy.js';
import {
  createPostgresWithArticle,
  openEveryConnection,
  poolWarnings,
  SHORT_BOUNDS,
  type TestPostgres,
} from './postgres.js';

/**
 * The network between Keel and PostgreSQL failing, rather than PostgreSQL refusing (spec.md §4,
 * "Retries" and the CAP paragraph): a partition where answers never come, and connections reset
 * under a statement. Keel answers each request within its bounds (a 503 with `Retry-After`, or
 * the read run again), and serves again once the network is back, without a restart.
 */

const enabled = process.env.TEST_DATABASE_URL !== undefined;

describe.runIf(enabled)('the network to PostgreSQL', { timeout: 60_000 }, () => {
  let database: TestPostgres;
  let author: RegisteredUser;
  let slug: string;
  let proxy: PostgresFaultProxy;
  let pool: DatabaseHandle;
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ database, author, slug } = await createPostgresWithArticle());
  });

  afterAll(async () => {
    await database.drop();
  });

  /** Keel on a pool of `size` connections through a fresh proxy, every connection opened. */
  async function start(size: number): Promise<void> {
    proxy = await startPostgresFaultProxy(database.url);
    pool = connectPostgres({ url: proxy.url, poolSize: size, ...SHORT_BOUNDS }, poolWarnings);
    app = await buildApp({ ...TEST_APP_OPTIONS, database: pool });
    await openEveryConnection(app, size);
  }

  afterEach(async () => {
    proxy.heal();
    await app.close();
    await pool.close();
    await proxy.close();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const edit = (description: string) =>
    app.inject({
      method: 'PUT',
      url: `/api/v1/articles/${slug}`,
      headers: author.headers,
      payload: { article: { description } },
    });

  async function readRetries(): Promise<number> {
    const text = (await get('/metrics')).body;
    const series = 'db_retries_total{kind="read",reason="connection_lost"} ';
    const line = text.split('\n').find((candidate) => candidate.startsWith(series));
    return Number(line?.slice(series.length) ?? 0);
  }

  it('answers 503 during a partition, and serves again once it heals, without a restart', async () => {
    await start(3);
    proxy.partition();
    // Reads and writes on pooled connections whose answers never come: each gives up at the
    // bound and answers 503, telling the client when to retry.
    const during = await Promise.all([get('/api/v1/tags'), edit('during'), get('/api/v1/tags')]);
    for (const response of during) {
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ error: { code: 'service_unavailable' } });
      expect(response.headers['retry-after']).toBeDefined();
    }
    proxy.heal();
    // Every connection that lost its answer was closed, none pooled again: all three serve.
    const after = await Promise.all([get('/api/v1/tags'), edit('after'), get('/health/ready')]);
    expect(after.map((response) => response.statusCode)).toEqual([200, 200, 200]);
  });

  it('gives back a connection whose BEGIN got no answer, so the pool does not run dry', async () => {
    // Drizzle's own transaction kept such a connection checked out for good: two lost BEGINs
    // on a pool of two left no connection for anyone, until a restart.
    await start(2);
    proxy.partition();
    const lost = await Promise.all([edit('lost 1'), edit('lost 2')]);
    expect(lost.map((response) => response.statusCode)).toEqual([503, 503]);
    proxy.heal();
    const after = await Promise.all([edit('after 1'), edit('after 2')]);
    expect(after.map((response) => response.statusCode)).toEqual([200, 200]);
    expect(pool.poolStats()?.waiting).toBe(0);
  });

  it('runs a read again on a new connection when its own is reset under it', async () => {
    await start(1);
    const retries = await readRetries();
    proxy.partition();
    const inFlight = get('/api/v1/tags');
    // Sent and unanswered; then the connection is reset and the network is fine again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    proxy.heal();
    proxy.cutAll();
    expect((await inFlight).statusCode).toBe(200);
    expect(await readRetries()).toBe(retries + 1);
  });

  it('answers 503, not 500, while no new connection can complete its handshake', async () => {
    await start(1);
    await pool.close();
    pool = connectPostgres({ url: proxy.url, poolSize: 1, ...SHORT_BOUNDS }, poolWarnings);
    await app.close();
    app = await buildApp({ ...TEST_APP_OPTIONS, database: pool });
    proxy.partition();
    const response = await get('/api/v1/tags');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'service_unavailable' } });
  });
});
