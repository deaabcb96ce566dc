import { LRUCache } from 'lru-cache';
import type { CacheResult } from '../../core/http/cache-metrics.js';

export interface ReadCacheOptions {
  readonly maxEntries: number;
  /** Bound on the entries' total size, in characters of their JSON: an article body alone may be 100 000. */
  readonly maxChars: number;
  /** An entry older than this is read again: the bound on an invalidation that never arrived. */
  readonly ttlMs: number;
  readonly onResult: (result: CacheResult) => void;
  /** The clock the expiry is measured on; tests pass one they move by hand. */
  readonly now?: () => number;
}

/** Reads the value from the database; `undefined` (not found) is never cached. */
export type Loader<V> = () => Promise<V>;

/**
 * One cache of this process's memory. It starts paused: it caches only once told it will hear
 * every invalidation (`resume`).
 */
export interface ReadCache<V> {
  /**
   * The cached value of `key`, else `fill`'s, stored when found and when no invalidation of
   * `key` (nor `clear`, `pause`) came while it loaded. While paused, `uncached` answers (it may
   * read a replica, since nothing it returns is stored) and nothing is stored.
   */
  get(key: string, fill: Loader<V>, uncached?: Loader<V>): Promise<V>;
  /** Drops `key`; a load of it already running stores nothing. */
  invalidate(key: string): void;
  /** Drops every entry; loads already running store nothing. */
  clear(): void;
  /** Stops caching: every read goes to the database until `resume`. */
  pause(): void;
  /** Empties the cache (invalidations may have been missed while paused), then caches again. */
  resume(): void;
}

/** Generations of the keys being loaded now; a key nobody loads needs none. */
interface Loading {
  generation: number;
  loads: number;
}

/**
 * A bounded LRU with an expiry and per-key generations, so a read that overlapped a write can't
 * put the old value back (spec.md §5, "Races").
 */
export function createReadCache<V extends object | undefined>(
  options: ReadCacheOptions,
): ReadCache<V> {
  const entries = new LRUCache<string, NonNullable<V>>({
    max: options.maxEntries,
    maxSize: options.maxChars,
    sizeCalculation: (value) => Math.max(1, JSON.stringify(value).length),
    ttl: options.ttlMs,
    // Read the clock at every check: lru-cache would otherwise reuse a reading for 1 ms.
    ttlResolution: 0,
    ...(options.now !== undefined && { perf: { now: options.now } }),
  });
  const loading = new Map<string, Loading>();
  // Bumped by clear, pause and resume: a load that started before any of them stores nothing.
  let epoch = 0;
  let active = false;

  function clear(): void {
    entries.clear();
    epoch += 1;
  }

  return {
    async get(key, fill, uncached = fill) {
      if (!active) {
        options.onResult('bypass');
        return uncached();
      }
      const cached = entries.get(key);
      if (cached !== undefined) {
        options.onResult('hit');
        return cached;
      }
      options.onResult('miss');
      const load = loading.get(key) ?? { generation: 0, loads: 0 };
      loading.set(key, load);
      load.loads += 1;
      const noted = { generation: load.generation, epoch };
      try {
        const value = await fill();
        if (value !== undefined && noted.generation === load.generation && noted.epoch === epoch) {
          entries.set(key, value);
        }
        return value;
      } finally {
        load.loads -= 1;
        if (load.loads === 0) loading.delete(key);
      }
    },
    invalidate(key) {
      entries.delete(key);
      const load = loading.get(key);
      if (load !== undefined) load.generation += 1;
    },
    clear,
    pause() {
      active = false;
      epoch += 1;
    },
    resume() {
      clear();
      active = true;
    },
  };
}
