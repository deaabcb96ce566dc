import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import type { CacheMetrics } from '../../src/core/http/cache-metrics.js';
import { createReadCaches } from '../../src/infrastructure/cache/read-caches.js';
import { createRedisClient } from '../../src/infrastructure/cache/redis-client.js';
import { createRedisGuard } from '../../src/infrastructure/cache/redis-guard.js';
import {
  INVALIDATION_CHANNEL,
  createRedisInvalidationBus,
} from '../../src/infrastructure/cache/redis-invalidation-bus.js';
import { connectPostgres, type DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { testConfig, TEST_APP_OPTIONS } from '../helpers/app.js';
import { createArticle, registerUser, unique, type RegisteredUser } from '../helpers/factories.js';
import { createTestPostgres, poolWarnings, type TestPostgres } from './postgres.js';
import { eventually, freePort, startRedis, stopRedis } from './redis-server.js';

/**
 * Two instances sharing PostgreSQL and a throwaway Redis (spec.md §5, "Across instances"): a
 * write through A is fresh through B at once, a token revoked through A is refused through B, and while B can't hear invalidations it reads
 * uncached, then caches again once Redis is back, without a restart. Both listen on a port and
 * the test is their HTTP client: B's request can only leave after A's answer has arrived, as
 * with a real client (through `inject`, one event loop could run B's read before it has read
 * the message Redis already sent it).
 */

const enabled =
  process.env.TEST_REDIS_URL !== undefined && process.env.TEST_DATABASE_URL !== undefined;

/** Where `app` listens. */
function originOf(app: FastifyInstance): string {
  return `http://127.0.0.1:${String((app.server.address() as AddressInfo).port)}`;
}

/** One series of an instance's /metrics, 0 when absent. */
async function metric(app: FastifyInstance, series: string): Promise<number> {
  const text = await (await fetch(`${originOf(app)}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

const articleHits = 'cache_requests_total{cache="article",result="hit"}';
const articleBypasses = 'cache_requests_total{cache="article",result="bypass"}';
const subscribed = (app: FastifyInstance): Promise<number> => metric(app, 'cache_subscribed');

describe.runIf(enabled)('the read cache across two instances', { timeout: 60_000 }, () => {
  let database: TestPostgres;
  let secondPool: DatabaseHandle;
  let redisPort: number;
  let redis: ChildProcess | undefined;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let author: RegisteredUser;
  let reader: RegisteredUser;

  beforeAll(async () => {
    database = await createTestPostgres();
    secondPool = connectPostgres(
      { url: database.url, poolSize: 10, statementTimeoutMs: 5_000, connectionTimeoutMs: 5_000 },
      poolWarnings,
    );
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    const config = { ...testConfig, redisUrl: `redis://127.0.0.1:${String(redisPort)}` };
    const instance = async (handle: DatabaseHandle): Promise<FastifyInstance> => {
      const app = await buildApp({
        ...TEST_APP_OPTIONS,
        config,
        database: handle,
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      return app;
    };
    [a, b] = [await instance(database.handle), await instance(secondPool)];
    await eventually(
      async () => (await subscribed(a)) === 1 && (await subscribed(b)) === 1,
      10_000,
    );
    [author, reader] = [await registerUser(a), await registerUser(a)];
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    if (redis !== undefined) await stopRedis(redis);
    await secondPool.close();
    await database.drop();
  });

  async function get(app: FastifyInstance, url: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${originOf(app)}${url}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  /** A write through A, as its client sends it; resolves once the answer has arrived. */
  async function writeOnA(
    user: RegisteredUser,
    method: 'PUT' | 'POST',
    url: string,
    payload?: object,
  ): Promise<number> {
    const response = await fetch(`${originOf(a)}${url}`, {
      method,
      headers: { ...user.headers, 'content-type': 'application/json' },
      body: JSON.stringify(payload ?? {}),
    });
    await response.arrayBuffer();
    return response.status;
  }

  const received = 'cache_invalidations_total{outcome="received"}';

  /**
   * Writes through A, then waits for B to receive the invalidation: B drops its entries when the
   * message arrives, which can be a few ms after A's answer (spec.md §5, "What a client sees").
   */
  async function writeSeenByB(...write: Parameters<typeof writeOnA>): Promise<number> {
    const before = await metric(b, received);
    const status = await writeOnA(...write);
    await eventually(async () => (await metric(b, received)) > before, 5_000);
    return status;
  }

  /**
   * Edits the article at `url` through A until one of A's invalidations is published: after an
   * outage, A's publisher reconnects and its breaker closes on schedules of their own.
   */
  async function editOnAUntilPublished(url: string): Promise<void> {
    const published = 'cache_invalidations_total{outcome="published"}';
    await eventually(async () => {
      const before = await metric(a, published);
      const edit = { article: { description: 'written once Redis is back' } };
      expect(await writeOnA(author, 'PUT', url, edit)).toBe(200);
      return (await metric(a, published)) > before;
    }, 15_000);
  }

  /** Reads `url` on B twice, so the second is served from B's memory. */
  async function warm(url: string): Promise<void> {
    const hits = await metric(b, articleHits);
    await get(b, url);
    await get(b, url);
    if (url.startsWith('/api/v1/articles/')) expect(await metric(b, articleHits)).toBe(hits + 1);
  }

  it('shows an article edited through A through B', async () => {
    const { slug } = await createArticle(a, author);
    await warm(`/api/v1/articles/${slug}`);
    const edit = { article: { body: 'edited on A' } };
    expect(await writeSeenByB(author, 'PUT', `/api/v1/articles/${slug}`, edit)).toBe(200);
    expect(await get(b, `/api/v1/articles/${slug}`)).toMatchObject({
      article: { body: 'edited on A' },
    });
  });

  it('shows a favorite through A in the count through B', async () => {
    const { slug } = await createArticle(a, author);
    await warm(`/api/v1/articles/${slug}`);
    expect(await writeSeenByB(reader, 'POST', `/api/v1/articles/${slug}/favorite`)).toBe(200);
    expect(await get(b, `/api/v1/articles/${slug}`)).toMatchObject({
      article: { favoritesCount: 1 },
    });
  });

  it("shows an article edited and favorited, and its author's profile updated, through A in B's lists, whose cards B caches", async () => {
    const writer = await registerUser(a);
    const { slug } = await createArticle(a, writer);
    const list = `/api/v1/articles?author=${writer.username}`;
    const cardHits = 'cache_requests_total{cache="card",result="hit"}';
    await get(b, list);
    const hits = await metric(b, cardHits);
    await get(b, list);
    expect(await metric(b, cardHits)).toBe(hits + 1);
    const edit = { article: { title: unique('Retitled on A') } };
    expect(await writeSeenByB(writer, 'PUT', `/api/v1/articles/${slug}`, edit)).toBe(200);
    expect(await get(b, list)).toMatchObject({
      articles: [{ slug, title: edit.article.title, favoritesCount: 0 }],
    });
    expect(await writeSeenByB(reader, 'POST', `/api/v1/articles/${slug}/favorite`)).toBe(200);
    expect(await get(b, list)).toMatchObject({
      articles: [{ slug, title: edit.article.title, favoritesCount: 1, favorited: false }],
    });
    const update = { user: { bio: unique('bio on A') } };
    expect(await writeSeenByB(writer, 'PUT', '/api/v1/user', update)).toBe(200);
    expect(await get(b, list)).toMatchObject({
      articles: [{ slug, author: { bio: update.user.bio } }],
    });
  });

  it('shows a profile updated through A through B, in the profile and its articles', async () => {
    const writer = await registerUser(a);
    const { slug } = await createArticle(a, writer);
    await warm(`/api/v1/profiles/${writer.username}`);
    await warm(`/api/v1/articles/${slug}`);
    const update = { user: { bio: 'updated on A' } };
    expect(await writeSeenByB(writer, 'PUT', '/api/v1/user', update)).toBe(200);
    expect(await get(b, `/api/v1/profiles/${writer.username}`)).toMatchObject({
      profile: { bio: 'updated on A' },
    });
    expect(await get(b, `/api/v1/articles/${slug}`)).toMatchObject({
      article: { author: { bio: 'updated on A' } },
    });
  });

  it('shows a tag published through A in the tag list through B', async () => {
    await warm('/api/v1/tags');
    const tag = unique('tag');
    const article = { title: unique('Tagged'), description: 'd', body: 'b', tagList: [tag] };
    expect(await writeSeenByB(author, 'POST', '/api/v1/articles', { article })).toBe(201);
    expect((await get(b, '/api/v1/tags')).tags).toContain(tag);
  });

  it.each([
    ['logs out everywhere', 'POST', '/api/v1/user/logout-all', undefined, 204],
    [
      'changes its password',
      'PUT',
      '/api/v1/user',
      { user: { password: 'a new passphrase' } },
      200,
    ],
  ] as const)(
    'refuses through B a token revoked through A when its account %s: its writes at once, its reads once B hears it',
    async (_change, method, url, payload, status) => {
      const user = await registerUser(a);
      const { slug } = await createArticle(a, author);
      // A second token of the account, which the change revokes (a password change keeps the
      // caller's own).
      const login = await fetch(`${originOf(a)}/api/v1/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { email: user.email, password: user.password } }),
      });
      const { token } = ((await login.json()) as { user: { token: string } }).user;
      const other = { ...user, token, headers: { authorization: `Token ${token}` } };
      const feed = async (): Promise<number> =>
        (await fetch(`${originOf(b)}/api/v1/articles/feed`, { headers: other.headers })).status;
      const standingHits = 'cache_requests_total{cache="account",result="hit"}';
      expect(await feed()).toBe(200);
      const hits = await metric(b, standingHits);
      expect(await feed()).toBe(200);
      expect(await metric(b, standingHits)).toBe(hits + 1);

      const before = await metric(b, received);
      expect(await writeOnA(user, method, url, payload)).toBe(status);
      // Whether or not the message has reached B yet, a write checks the account as stored.
      const favorite = await fetch(`${originOf(b)}/api/v1/articles/${slug}/favorite`, {
        method: 'POST',
        headers: other.headers,
      });
      expect(favorite.status).toBe(401);
      await eventually(async () => (await metric(b, received)) > before, 5_000);
      expect(await feed()).toBe(401);
    },
  );

  it.each([
    ['that is no JSON', 'not an invalidation'],
    ['that is JSON of another shape', '{"articles":5}'],
    ['whose accounts are not a list of ids', '{"accounts":[7]}'],
  ])('clears everything on a message %s', async (_case, message) => {
    const { slug } = await createArticle(a, author);
    await warm(`/api/v1/articles/${slug}`);
    const before = await metric(b, received);
    const stranger = new Redis(redisPort, '127.0.0.1');
    try {
      await stranger.publish(INVALIDATION_CHANNEL, message);
    } finally {
      stranger.disconnect();
    }
    await eventually(async () => (await metric(b, received)) > before, 5_000);
    const hits = await metric(b, articleHits);
    await get(b, `/api/v1/articles/${slug}`);
    expect(await metric(b, articleHits)).toBe(hits);
  });

  it('reads uncached and fresh while Redis is down, and caches again once it is back', async () => {
    const { slug } = await createArticle(a, author);
    const url = `/api/v1/articles/${slug}`;
    await warm(url);
    if (redis !== undefined) await stopRedis(redis);
    redis = undefined;
    await eventually(async () => (await subscribed(b)) === 0, 10_000);

    // A's write commits; its invalidation can't be published, which is counted, not an error.
    const failed = 'cache_invalidations_total{outcome="failed"}';
    const failures = await metric(a, failed);
    const whileDown = { article: { body: 'edited while Redis is down' } };
    expect(await writeOnA(author, 'PUT', url, whileDown)).toBe(200);
    expect(await metric(a, failed)).toBe(failures + 1);
    const bypasses = await metric(b, articleBypasses);
    expect(await get(b, url)).toMatchObject({ article: { body: 'edited while Redis is down' } });
    expect(await get(b, url)).toMatchObject({ article: { body: 'edited while Redis is down' } });
    expect(await metric(b, articleBypasses)).toBe(bypasses + 2);

    redis = await startRedis(redisPort);
    await eventually(async () => (await subscribed(b)) === 1, 10_000);
    // A's publisher reconnects on a schedule of its own, which B's subscription says nothing
    // about: write through A until one of its invalidations goes out, and B has it.
    const receivedBefore = await metric(b, received);
    await editOnAUntilPublished(url);
    await eventually(async () => (await metric(b, received)) > receivedBefore, 5_000);
    await warm(url);
    const once = { article: { body: 'edited once Redis is back' } };
    expect(await writeSeenByB(author, 'PUT', url, once)).toBe(200);
    expect(await get(b, url)).toMatchObject({ article: { body: 'edited once Redis is back' } });
  });

  it('holds no write on a paused Redis: its breaker opens for both callers, then closes', async () => {
    const { slug } = await createArticle(a, author);
    const url = `/api/v1/articles/${slug}`;
    const failed = 'cache_invalidations_total{outcome="failed"}';
    const failures = await metric(a, failed);
    redis?.kill('SIGSTOP');
    try {
      const elapsed: number[] = [];
      for (let write = 0; write < 10; write++) {
        const started = performance.now();
        const edit = { article: { description: `written while Redis is paused ${String(write)}` } };
        expect(await writeOnA(author, 'PUT', url, edit)).toBe(200);
        elapsed.push(performance.now() - started);
      }
      // Each write's rate-limit hit and publication time out (50 ms) until five failures open
      // the breaker; from then on both skip Redis. Without the breaker on the publication, every
      // write waited the client's 500 ms command timeout. Not a performance assertion: the last
      // writes come in far under it.
      expect(Math.max(...elapsed.slice(5))).toBeLessThan(500);
      expect(await metric(a, 'redis_breaker_state')).toBe(2);
      expect(await metric(a, failed)).toBe(failures + 10);
    } finally {
      redis?.kill('SIGCONT');
    }
    // A probe goes through once the breaker half-opens (5 s): publishing resumes on its own.
    await editOnAUntilPublished(url);
    expect(await metric(a, 'redis_breaker_state')).toBe(0);
  });
});

describe.runIf(enabled)('the invalidation channel of one instance', { timeout: 60_000 }, () => {
  it('logs each loss of the channel or of publication and each recovery once, and no loss on close', async () => {
    const port = await freePort();
    let server: ChildProcess | undefined;
    const lines: string[] = [];
    const log = {
      warn: (_details: object, message: string) => lines.push(`warn ${message}`),
      info: (_details: object, message: string) => lines.push(`info ${message}`),
    };
    const quiet = { warn: () => undefined, info: () => undefined, debug: () => undefined };
    const url = `redis://127.0.0.1:${String(port)}`;
    const client = (): Redis => createRedisClient(url, quiet, { maxReconnectDelayMs: 100 });
    const [publisher, subscriber] = [client(), client()];
    const up: boolean[] = [];
    const metrics: CacheMetrics = {
      request: () => undefined,
      invalidation: () => undefined,
      subscribed: (state) => up.push(state),
    };
    try {
      // Redis is not there yet: the bus reads uncached until it comes.
      const bus = createRedisInvalidationBus(
        createReadCaches(() => undefined),
        {
          publisher,
          guard: createRedisGuard(log),
          subscriber,
          log,
          metrics,
        },
      );
      server = await startRedis(port);
      await publisher.connect();
      await eventually(() => up.at(-1) === true, 10_000);

      await stopRedis(server);
      await eventually(() => up.at(-1) === false, 10_000);
      await bus.publish({ tags: true });
      await bus.publish({ tags: true });

      server = await startRedis(port);
      await eventually(() => up.at(-1) === true && publisher.status === 'ready', 10_000);
      await bus.publish({ tags: true });
      subscriber.disconnect();
      await eventually(() => up.at(-1) === false, 10_000);
      expect(lines.map((line) => line.split(':')[0])).toEqual([
        'warn redis unreachable at start',
        'info cache invalidation channel subscribed',
        'warn cache invalidation channel lost',
        'warn cache invalidation not published',
        'info cache invalidation channel subscribed',
        'info cache invalidations published again',
      ]);
    } finally {
      publisher.disconnect();
      subscriber.disconnect();
      if (server !== undefined) await stopRedis(server);
    }
  });
});
