import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import type { RateLimitStore, WindowCount } from '../../src/core/rate-limit.js';
import { createMemoryRateLimitStore } from '../../src/infrastructure/cache/memory-rate-limit-store.js';
import { createRedisGuard } from '../../src/infrastructure/cache/redis-guard.js';
import { createResilientRateLimitStore } from '../../src/infrastructure/cache/resilient-rate-limit-store.js';

type Mode = 'up' | 'down' | 'hanging';

/** A stand-in for Redis that answers, fails at once or never answers, as the test says. */
function flakyStore(): RateLimitStore & { mode: Mode; calls: number } {
  const counts = new Map<string, number>();
  return {
    mode: 'up',
    calls: 0,
    hit(key: string): Promise<WindowCount> {
      this.calls += 1;
      if (this.mode === 'down') return Promise.reject(new Error('connect ECONNREFUSED'));
      if (this.mode === 'hanging') return new Promise(() => undefined);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return Promise.resolve({ count, resetInMs: 1_000 });
    },
  };
}

function setup(options = {}) {
  const shared = flakyStore();
  const log = {
    warn: vi.fn<(d: object, m: string) => void>(),
    info: vi.fn<(d: object, m: string) => void>(),
  };
  const guard = createRedisGuard(log, {
    timeoutMs: 20,
    failuresToOpen: 3,
    halfOpenAfterMs: 100,
    ...options,
  });
  const store = createResilientRateLimitStore(shared, createMemoryRateLimitStore(), guard, log);
  return { shared, log, store };
}

describe('createResilientRateLimitStore', () => {
  it('counts in the shared store while it answers', async () => {
    const { shared, store, log } = setup();
    expect((await store.hit('k', 1_000)).count).toBe(1);
    expect((await store.hit('k', 1_000)).count).toBe(2);
    expect(shared.calls).toBe(2);
    expect(store.health()).toEqual({ breaker: 'closed', fallbacks: 0 });
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('answers from the fallback when the shared store fails, and opens the breaker', async () => {
    const { shared, store, log } = setup();
    shared.mode = 'down';
    for (let index = 1; index <= 10; index++) {
      expect(await store.hit('k', 1_000)).toMatchObject({ count: index });
    }
    // Three failures opened the breaker; the next seven never reached the shared store.
    expect(shared.calls).toBe(3);
    expect(store.health()).toEqual({ breaker: 'open', fallbacks: 10 });
    // Once for the first failure, once for the breaker: never per request.
    expect(log.warn).toHaveBeenCalledTimes(2);
    expect(log.warn.mock.calls.map(([, message]) => message)).toEqual([
      expect.stringContaining('rate-limit store failed'),
      expect.stringContaining('circuit breaker open'),
    ]);
  });

  it('gives up on a shared store that does not answer within the timeout', async () => {
    const { shared, store } = setup();
    shared.mode = 'hanging';
    const started = performance.now();
    expect((await store.hit('k', 1_000)).count).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
    expect(store.health().fallbacks).toBe(1);
  });

  it("aborts its timeout's signal only when the timeout fires, not after every answered hit", async () => {
    // Nothing reads the signal; aborting it builds an AbortError with its stack on every
    // rate-limited request (docs/performance.md, "With Redis").
    const abort = vi.spyOn(AbortController.prototype, 'abort');
    try {
      const { shared, store } = setup();
      await store.hit('k', 1_000);
      await store.hit('k', 1_000);
      expect(abort).not.toHaveBeenCalled();
      shared.mode = 'hanging';
      await store.hit('k', 1_000);
      expect(abort).toHaveBeenCalledOnce();
    } finally {
      abort.mockRestore();
    }
  });

  it('closes the breaker again once a probe succeeds, without a restart', async () => {
    const { shared, store, log } = setup();
    shared.mode = 'down';
    for (let index = 0; index < 3; index++) await store.hit('k', 1_000);
    expect(store.health().breaker).toBe('open');

    // Still down when the first probe goes through: the breaker opens again, silently.
    await sleep(120);
    await store.hit('k', 1_000);
    expect(store.health().breaker).toBe('open');
    expect(log.warn).toHaveBeenCalledTimes(2);

    shared.mode = 'up';
    await sleep(120);
    expect((await store.hit('k', 1_000)).count).toBe(1);
    expect(store.health().breaker).toBe('closed');
    expect(log.info).toHaveBeenCalledOnce();
    expect(log.info).toHaveBeenCalledWith({ fallbacks: 4 }, expect.stringContaining('recovered'));
    expect((await store.hit('k', 1_000)).count).toBe(2);
  });

  it('never logs the failed command: only its name, code and message', async () => {
    const shared: RateLimitStore = {
      hit: () =>
        Promise.reject(
          Object.assign(new Error('ERR wrong'), { code: 'ERR', command: { args: ['secret'] } }),
        ),
    };
    const log = { warn: vi.fn(), info: vi.fn() };
    const store = createResilientRateLimitStore(
      shared,
      createMemoryRateLimitStore(),
      createRedisGuard(log),
      log,
    );
    await store.hit('k', 1_000);
    expect(log.warn).toHaveBeenCalledWith(
      { err: { name: 'Error', code: 'ERR', message: 'ERR wrong' }, timeoutMs: 50 },
      expect.any(String),
    );
  });
});
