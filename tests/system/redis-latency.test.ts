import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { createRedisClient } from '../../src/infrastructure/cache/redis-client.js';
import { RATE_LIMIT_KEY_PREFIX } from '../../src/infrastructure/cache/redis-rate-limit-store.js';
import type { ResilientRateLimitStore } from '../../src/infrastructure/cache/resilient-rate-limit-store.js';
import { testConfig, TEST_APP_OPTIONS } from '../helpers/app.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';
import { startLatencyProxy, type LatencyProxy } from '../helpers/latency-proxy.js';
import { createTestPostgres, type TestPostgres } from './postgres.js';
import { eventually, freePort, quickBreakerStore, startRedis, stopRedis } from './redis-server.js';

/**
 * Redis slow rather than gone (spec.md §5 "Failure", §8 rate limits): a throwaway redis-server
 * behind a latency proxy whose replies come 100 ms late, twice the guard's 50 ms timeout. A
 * request never waits for the late reply: its rate-limit hit is counted in memory and its
 * invalidation counted as not published at the timeout, the breaker opens and Redis is skipped,
 * and once Redis answers in time again the breaker closes without a restart.
 */

const enabled = process.env.TEST_REDIS_URL !== undefined;
const LATE_MS = 100;

const quiet = { warn: () => undefined, info: () => undefined, debug: () => undefined };

describe.runIf(enabled)('rate limits on a slow Redis', { timeout: 60_000 }, () => {
  const WINDOW_MS = 60_000;
  const HALF_OPEN_AFTER_MS = 1_000;
  let server: ChildProcess;
  let proxy: LatencyProxy;
  let redis: Redis;
  let store: ResilientRateLimitStore;
  const warnings: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    server = await startRedis(port);
    proxy = await startLatencyProxy('127.0.0.1', port);
    const log = {
      ...quiet,
      warn: (_details: object, message: string) => warnings.push(message),
    };
    redis = createRedisClient(`redis://127.0.0.1:${String(proxy.port)}`, log);
    await redis.connect();
    store = quickBreakerStore(redis, log, HALF_OPEN_AFTER_MS);
  });

  afterAll(async () => {
    redis.disconnect();
    await proxy.close();
    await stopRedis(server);
  });

  it('counts in memory at the timeout, skips Redis once the breaker opens, and closes it once Redis is fast', async () => {
    const key = 'write-user:slow';
    expect(await store.hit(key, WINDOW_MS)).toMatchObject({ count: 1 });
    proxy.delay({ toClient: LATE_MS });

    // Each of the first three hits gives up at the timeout: its count is memory's, which starts
    // at 1, where Redis's reply, still on its way, would have said 2, 3, 4.
    const counts: number[] = [];
    for (let hit = 0; hit < 3; hit++) {
      const started = performance.now();
      counts.push((await store.hit(key, WINDOW_MS)).count);
      const ms = performance.now() - started;
      expect(ms).toBeGreaterThanOrEqual(45);
      // Not a performance assertion: a bound far above the timeout, to show nothing hangs.
      expect(ms).toBeLessThan(2_000);
    }
    expect(counts).toEqual([1, 2, 3]);
    expect(store.health()).toMatchObject({ breaker: 'open', fallbacks: 3 });

    // Open: the hits are answered from memory without a byte sent to Redis.
    const sent = proxy.bytesFromClients();
    for (let hit = 0; hit < 5; hit++) await store.hit(key, WINDOW_MS);
    expect(proxy.bytesFromClients()).toBe(sent);
    expect(store.health()).toMatchObject({ breaker: 'open', fallbacks: 8 });

    // After the open time one probe goes to Redis, is late too, and the breaker opens again.
    await sleep(HALF_OPEN_AFTER_MS + 100);
    expect((await store.hit(key, WINDOW_MS)).count).toBe(9);
    expect(proxy.bytesFromClients()).toBeGreaterThan(sent);
    expect(store.health().breaker).toBe('open');

    proxy.delay({ toClient: 0 });
    await eventually(async () => {
      await store.hit(key, WINDOW_MS);
      return store.health().breaker === 'closed';
    }, 10_000);
    // Redis counted every hit whose reply came late (the command itself was on time), and counts
    // the next one too.
    const stored = Number(await redis.get(`${RATE_LIMIT_KEY_PREFIX}${key}`));
    expect(stored).toBeGreaterThanOrEqual(5);
    expect((await store.hit(key, WINDOW_MS)).count).toBe(stored + 1);
    expect(warnings.filter((line) => line.includes('circuit breaker open'))).toHaveLength(1);
    expect(warnings.filter((line) => line.includes('rate-limit store failed'))).toHaveLength(1);
  });
});

const appEnabled = enabled && process.env.TEST_DATABASE_URL !== undefined;

describe.runIf(appEnabled)('writes through Keel on a slow Redis', { timeout: 60_000 }, () => {
  let database: TestPostgres;
  let server: ChildProcess;
  let proxy: LatencyProxy;
  let app: FastifyInstance;
  let author: RegisteredUser;
  let slug: string;

  beforeAll(async () => {
    database = await createTestPostgres();
    const port = await freePort();
    server = await startRedis(port);
    proxy = await startLatencyProxy('127.0.0.1', port);
    app = await buildApp({
      ...TEST_APP_OPTIONS,
      config: { ...testConfig, redisUrl: `redis://127.0.0.1:${String(proxy.port)}` },
      database: database.handle,
    });
    await eventually(async () => (await metric('cache_subscribed')) === 1, 10_000);
    author = await registerUser(app);
    ({ slug } = await createArticle(app, author));
  }, 60_000);

  afterEach(() => {
    proxy.delay({ toServer: 0, toClient: 0 });
  });

  afterAll(async () => {
    await app.close();
    await proxy.close();
    await stopRedis(server);
    await database.drop();
  });

  /** One series of the app's /metrics, 0 when absent. */
  async function metric(series: string): Promise<number> {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  }

  const published = 'cache_invalidations_total{outcome="published"}';
  const failed = 'cache_invalidations_total{outcome="failed"}';
  const fallbacks = 'rate_limit_store_fallbacks_total';

  async function edit(description: string): Promise<number> {
    const response = await app.inject({
      method: 'PUT',
      url: `/api/v1/articles/${slug}`,
      headers: author.headers,
      payload: { article: { description } },
    });
    return response.statusCode;
  }

  async function redisReadiness(): Promise<unknown> {
    const response = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    const { checks } = response.json<{ checks: { name: string; detail: string }[] }>();
    return checks.find((check) => check.name === 'redis')?.detail;
  }

  it('holds no write for the late replies, opens the breaker, and closes it once Redis is fast', async () => {
    // Redis in time: the write's hit is counted there and its invalidation published.
    await eventually(async () => {
      const before = await metric(published);
      expect(await edit('before')).toBe(200);
      return (await metric(published)) > before;
    }, 10_000);
    expect(await metric('redis_breaker_state')).toBe(0);
    const [publishedBefore, failedBefore, fallbacksBefore] = [
      await metric(published),
      await metric(failed),
      await metric(fallbacks),
    ];

    proxy.delay({ toClient: LATE_MS });
    // Each write waits for its hit and its publication at most the 50 ms timeout, before the
    // reply (100 ms late) can come: every one is counted in memory and as not published, though
    // Redis took each command in time. Five failures in a row open the one breaker of both.
    let sentWhileOpen: number | undefined;
    for (let write = 0; write < 8; write++) {
      if (write === 5) sentWhileOpen = proxy.bytesFromClients();
      expect(await edit(`while Redis is slow ${String(write)}`)).toBe(200);
    }
    expect(await metric('redis_breaker_state')).toBe(2);
    expect(await metric(fallbacks)).toBe(fallbacksBefore + 8);
    expect(await metric(failed)).toBe(failedBefore + 8);
    expect(await metric(published)).toBe(publishedBefore);
    // Once open, the writes sent Redis nothing at all.
    expect(proxy.bytesFromClients()).toBe(sentWhileOpen);
    // Readiness stays 200 (Keel serves without Redis) and says which mode it is in.
    expect(await redisReadiness()).toMatch(/^breaker open/);

    proxy.delay({ toClient: 0 });
    // A probe goes through once the breaker half-opens (5 s), and publishing resumes on its own.
    await eventually(async () => {
      expect(await edit('once Redis is fast')).toBe(200);
      return (await metric('redis_breaker_state')) === 0;
    }, 15_000);
    expect(await redisReadiness()).toMatch(/^breaker closed/);
    const before = await metric(published);
    expect(await edit('published again')).toBe(200);
    expect(await metric(published)).toBe(before + 1);
  });
});
