import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandlers } from '../../src/core/http/error-handler.js';
import { registerRateLimits } from '../../src/core/http/rate-limit.js';
import type { RateLimits } from '../../src/core/rate-limit.js';
import { createMemoryRateLimitStore } from '../../src/infrastructure/cache/memory-rate-limit-store.js';
import { createRedisClient } from '../../src/infrastructure/cache/redis-client.js';
import { createRedisGuard } from '../../src/infrastructure/cache/redis-guard.js';
import {
  RATE_LIMIT_KEY_PREFIX,
  createRedisRateLimitStore,
} from '../../src/infrastructure/cache/redis-rate-limit-store.js';
import {
  createResilientRateLimitStore,
  type ResilientRateLimitStore,
} from '../../src/infrastructure/cache/resilient-rate-limit-store.js';
import { eventually, freePort, quickBreakerStore, startRedis, stopRedis } from './redis-server.js';

/**
 * Rate limits on a real Redis: shared by two instances (the machine's Redis at TEST_REDIS_URL),
 * and surviving a throwaway redis-server that this file kills, restarts and pauses.
 */

const REDIS_URL = process.env.TEST_REDIS_URL;
const RUN = randomBytes(4).toString('hex');

interface LogLine {
  readonly level: 'warn' | 'info' | 'debug';
  readonly message: string;
}

/** A logger that keeps what it is told, for the assertions on "once, not per request". */
function collectingLog(): {
  lines: LogLine[];
  log: Record<LogLine['level'], (d: object, m: string) => void>;
} {
  const lines: LogLine[] = [];
  const record = (level: LogLine['level']) => (_details: object, message: string) => {
    lines.push({ level, message });
  };
  return { lines, log: { warn: record('warn'), info: record('info'), debug: record('debug') } };
}

function count(lines: readonly LogLine[], level: LogLine['level'], text: string): number {
  return lines.filter((line) => line.level === level && line.message.includes(text)).length;
}

describe.runIf(REDIS_URL !== undefined)('rate limits shared through Redis', () => {
  const clients: Redis[] = [];
  const apps: FastifyInstance[] = [];

  function client(): Redis {
    const created = createRedisClient(REDIS_URL ?? '', collectingLog().log);
    clients.push(created);
    return created;
  }

  afterAll(async () => {
    const admin = client();
    await admin.connect();
    const keys = await admin.keys(`${RATE_LIMIT_KEY_PREFIX}*${RUN}*`);
    if (keys.length > 0) await admin.del(...keys);
    await Promise.all(apps.map((app) => app.close()));
    for (const created of clients) created.disconnect();
  });

  it('counts one window across two instances, under the keel:rl: prefix with an expiry', async () => {
    const [first, second] = [client(), client()];
    await Promise.all([first.connect(), second.connect()]);
    const stores = [createRedisRateLimitStore(first), createRedisRateLimitStore(second)];
    const key = `login-ip:shared-${RUN}`;
    const counts: number[] = [];
    for (let hit = 0; hit < 6; hit++) {
      const window = await stores[hit % 2]?.hit(key, 60_000);
      counts.push(window?.count ?? 0);
      expect(window?.resetInMs).toBeGreaterThan(0);
      expect(window?.resetInMs).toBeLessThanOrEqual(60_000);
    }
    expect(counts).toEqual([1, 2, 3, 4, 5, 6]);
    const ttl = await first.pttl(`${RATE_LIMIT_KEY_PREFIX}${key}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('refuses on one instance what the other already counted', async () => {
    const limits: RateLimits = {
      'login-ip': { max: 3, windowMs: 60_000 },
      'login-account': { max: 100, windowMs: 60_000 },
      'registration-ip': { max: 100, windowMs: 60_000 },
      'write-user': { max: 100, windowMs: 60_000 },
    };
    // A route per instance, counting the caller's address under a name unique to this run.
    const instance = async (): Promise<FastifyInstance> => {
      const redis = client();
      await redis.connect();
      const { log } = collectingLog();
      const store = createResilientRateLimitStore(
        createRedisRateLimitStore(redis),
        createMemoryRateLimitStore(),
        createRedisGuard(log),
        log,
      );
      const app = Fastify();
      registerErrorHandlers(app, () => false);
      registerRateLimits(app, store, limits, { accountKey: 'test-key' });
      app.post('/login', { config: { rateLimit: ['login-ip'] } }, () => ({ ok: true }));
      apps.push(app);
      return app;
    };
    const [a, b] = [await instance(), await instance()];
    const remoteAddress = `203.0.113.7-${RUN}`;
    const statuses: number[] = [];
    for (const app of [a, b, a, b]) {
      statuses.push(
        (await app.inject({ method: 'POST', url: '/login', remoteAddress })).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe.runIf(REDIS_URL !== undefined)('a throwaway Redis that fails', { timeout: 60_000 }, () => {
  const WINDOW_MS = 60_000;
  const HALF_OPEN_AFTER_MS = 300;
  let port: number;
  let server: ChildProcess | undefined;
  let redis: Redis;
  let store: ResilientRateLimitStore;
  let lines: LogLine[];

  beforeAll(async () => {
    port = await freePort();
    server = await startRedis(port);
  });

  afterEach(() => {
    redis.disconnect();
  });

  afterAll(async () => {
    if (server !== undefined) await stopRedis(server);
  });

  /** A fresh client and store on the throwaway server, with the test's short timings. */
  async function connect(): Promise<void> {
    const collected = collectingLog();
    lines = collected.lines;
    redis = createRedisClient(`redis://127.0.0.1:${String(port)}`, collected.log, {
      maxReconnectDelayMs: 100,
    });
    await redis.connect();
    store = quickBreakerStore(redis, collected.log, HALF_OPEN_AFTER_MS);
  }

  /** Seconds a hit takes, and its count. */
  async function timedHit(key: string): Promise<{ ms: number; count: number }> {
    const started = performance.now();
    const { count: hits } = await store.hit(key, WINDOW_MS);
    return { ms: performance.now() - started, count: hits };
  }

  it('answers from memory while Redis is down, opens the breaker, logs once and recovers', async () => {
    await connect();
    const key = `login-ip:killed-${RUN}`;
    expect((await timedHit(key)).count).toBe(1);
    expect(await redis.get(`${RATE_LIMIT_KEY_PREFIX}${key}`)).toBe('1');

    if (server !== undefined) await stopRedis(server);
    server = undefined;

    // Over a second of requests (several half-open probes): each answered, and fast.
    const slowest = { ms: 0 };
    const deadline = Date.now() + 1_200;
    let hits = 0;
    while (Date.now() < deadline && hits < 500) {
      const hit = await timedHit(key);
      slowest.ms = Math.max(slowest.ms, hit.ms);
      hits += 1;
      await sleep(20);
    }
    expect(hits).toBeGreaterThan(10);
    // Not a performance assertion: a bound far above the 50 ms timeout, to show nothing hangs.
    expect(slowest.ms).toBeLessThan(2_000);
    expect(store.health()).toMatchObject({ breaker: 'open', fallbacks: hits });
    expect(count(lines, 'warn', 'circuit breaker open')).toBe(1);
    expect(count(lines, 'warn', 'rate-limit store failed')).toBe(1);
    expect(count(lines, 'warn', 'redis connection lost')).toBe(1);

    server = await startRedis(port);
    // The client reconnects on its own; the next probe after half-open closes the breaker.
    await eventually(async () => {
      await store.hit(key, WINDOW_MS);
      return store.health().breaker === 'closed';
    }, 10_000);
    // A restarted, empty Redis: counting there again from 1.
    expect((await timedHit(key)).count).toBe(2);
    expect(count(lines, 'info', 'recovered')).toBe(1);
    expect(count(lines, 'warn', 'circuit breaker open')).toBe(1);
  });

  it('gives up on a paused Redis at the timeout instead of hanging, then recovers', async () => {
    await connect();
    const key = `write-user:paused-${RUN}`;
    expect((await timedHit(key)).count).toBe(1);
    server?.kill('SIGSTOP');
    try {
      const times: number[] = [];
      for (let hit = 0; hit < 10; hit++) times.push((await timedHit(key)).ms);
      // The first three wait for the 50 ms timeout, then the open breaker answers at once.
      // Not a performance assertion: a bound far above the 50 ms timeout, to show nothing hangs.
      expect(Math.max(...times)).toBeLessThan(2_000);
      expect(times.slice(0, 3).every((ms) => ms >= 45)).toBe(true);
      expect(store.health()).toMatchObject({ breaker: 'open', fallbacks: 10 });
      expect(count(lines, 'warn', 'circuit breaker open')).toBe(1);
    } finally {
      server?.kill('SIGCONT');
    }
    await eventually(async () => {
      await store.hit(key, WINDOW_MS);
      return store.health().breaker === 'closed';
    }, 10_000);
    expect(count(lines, 'info', 'recovered')).toBe(1);
  });
});
