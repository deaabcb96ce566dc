import type { RateLimitStore, WindowCount } from '../../core/rate-limit.js';

export interface MemoryRateLimitStoreOptions {
  /** Windows tracked at most; past it, the oldest are forgotten (their keys start afresh). */
  readonly maxKeys?: number;
  /** How often, at most, every expired window is swept out. */
  readonly sweepEveryMs?: number;
  readonly now?: () => number;
}

export interface MemoryRateLimitStore extends RateLimitStore {
  /** Windows held right now, expired ones not yet swept included. */
  readonly size: number;
}

interface Window {
  count: number;
  readonly endsAt: number;
}

/**
 * Fixed-window counters in this process's memory: the store without Redis, and Redis's
 * fallback. Bounded: expired windows are swept, and at most `maxKeys` windows are kept, so a
 * flood of distinct IPs or emails can't grow the heap without limit.
 */
export function createMemoryRateLimitStore(
  options: MemoryRateLimitStoreOptions = {},
): MemoryRateLimitStore {
  const { maxKeys = 100_000, sweepEveryMs = 10_000, now = Date.now } = options;
  // A Map iterates in insertion order, which is the order windows opened: the oldest first.
  const windows = new Map<string, Window>();
  let lastSweep = now();

  function sweep(at: number): void {
    lastSweep = at;
    for (const [key, window] of windows) if (window.endsAt <= at) windows.delete(key);
  }

  function evictOldest(): void {
    const oldest = windows.keys().next();
    if (oldest.done !== true) windows.delete(oldest.value);
  }

  return {
    get size() {
      return windows.size;
    },
    hit(key: string, windowMs: number): Promise<WindowCount> {
      const at = now();
      if (at - lastSweep >= sweepEveryMs) sweep(at);
      let window = windows.get(key);
      if (window === undefined || window.endsAt <= at) {
        // Re-inserted, so the Map's order stays the order windows opened.
        windows.delete(key);
        // Not a sweep here: at the cap, that would cost a full scan per request.
        if (windows.size >= maxKeys) evictOldest();
        window = { count: 0, endsAt: at + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return Promise.resolve({ count: window.count, resetInMs: window.endsAt - at });
    },
  };
}
