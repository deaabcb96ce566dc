import { describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from '../../src/infrastructure/cache/memory-rate-limit-store.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

describe('createMemoryRateLimitStore', () => {
  it('counts hits in a fixed window and says when it ends', async () => {
    const clock = manualClock();
    const store = createMemoryRateLimitStore({ now: clock.now });
    expect(await store.hit('k', 60_000)).toEqual({ count: 1, resetInMs: 60_000 });
    clock.advance(10_000);
    expect(await store.hit('k', 60_000)).toEqual({ count: 2, resetInMs: 50_000 });
  });

  it('opens a new window once the old one has ended', async () => {
    const clock = manualClock();
    const store = createMemoryRateLimitStore({ now: clock.now });
    await store.hit('k', 1_000);
    await store.hit('k', 1_000);
    clock.advance(1_000);
    expect(await store.hit('k', 1_000)).toEqual({ count: 1, resetInMs: 1_000 });
  });

  it('counts each key on its own', async () => {
    const store = createMemoryRateLimitStore();
    await store.hit('a', 60_000);
    await store.hit('a', 60_000);
    expect((await store.hit('b', 60_000)).count).toBe(1);
    expect((await store.hit('a', 60_000)).count).toBe(3);
  });

  it('sweeps out expired windows, so memory does not grow with keys seen long ago', async () => {
    const clock = manualClock();
    const store = createMemoryRateLimitStore({ now: clock.now, sweepEveryMs: 5_000 });
    for (let index = 0; index < 1_000; index++) await store.hit(`ip-${String(index)}`, 1_000);
    expect(store.size).toBe(1_000);
    clock.advance(5_000);
    await store.hit('fresh', 60_000);
    expect(store.size).toBe(1);
  });

  it('keeps at most maxKeys windows, forgetting the oldest first', async () => {
    const clock = manualClock();
    const store = createMemoryRateLimitStore({ now: clock.now, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) await store.hit(key, 60_000);
    await store.hit('a', 60_000);
    await store.hit('d', 60_000);
    expect(store.size).toBe(3);
    // 'a' was the oldest window: it starts afresh; 'b' survived.
    expect((await store.hit('b', 60_000)).count).toBe(2);
    expect(store.size).toBe(3);
  });
});
