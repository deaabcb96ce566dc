import { LRUCache } from 'lru-cache';
import type { CacheResult } from '../../core/http/cache-metrics.js';

export interface ReadCacheOptions<V> {
  readonly maxEntries: number;
  /** Bound on the entries' total size, in characters of their JSON: an article body alone may be 100 000. */
  readonly maxChars: number;
  /** An entry's size in characters of its JSON; by default, its JSON's length. */
  readonly sizeOf?: (value: NonNullable<V>) => number;
  /** An entry older than this is read again: the bound on an invalidation that never arrived. */
  readonly ttlMs: number;
  /** Called once per read, or once per result of a `getMany`, with how many keys it counts. */
  readonly onResult: (result: CacheResult, keys: number) => void;
  /** The clock the expiry is measured on; tests pass one they move by hand. */
  readonly now?: () => number;
}

/** Reads the value from the database; `undefined` (not found) is never cached. */
export type Loader<V> = () => Promise<V>;

/** Reads the values of `keys` from the database in one go; a key it leaves out is not found. */
export type BatchLoader<V> = (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>;

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
  /**
   * The values of `keys`, in their order: the cached ones, and the others read by one `fill`
   * and stored as `get` stores (while paused, all of them read and none stored). A key not
   * found is `undefined`.
   */
  getMany(keys: readonly string[], fill: BatchLoader<NonNullable<V>>): Promise<(V | undefined)[]>;
  /** Whether it caches now: a caller with a cheaper way to read everything uncached asks first. */
  isActive(): boolean;
  /** Drops `key`; a load of it already running stores nothing. */
  invalidate(key: string): void;
  /** Drops every entry; loads already running store nothing. */
  clear(): void;
  /** Stops caching: every read goes to the database until `resume`. */
  pause(): void;
  /** Empties the cache (invalidations may have been missed while paused), then caches again. */
  resume(): void;
}

function jsonLength(value: object): number {
  return JSON.stringify(value).length;
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
  options: ReadCacheOptions<V>,
): ReadCache<V> {
  const entries = new LRUCache<string, NonNullable<V>>({
    max: options.maxEntries,
    maxSize: options.maxChars,
    sizeCalculation: (value) => Math.max(1, (options.sizeOf ?? jsonLength)(value)),
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

  /**
   * `fill`'s answer for `keys` (all missed), each value (`valuesOf`) stored unless an
   * invalidation of its key, or a `clear` or `pause`, came while it loaded: the generations of
   * spec.md §5, "Races".
   */
  async function loadAndStore<R>(
    keys: readonly string[],
    fill: () => Promise<R>,
    valuesOf: (answer: R) => ReadonlyMap<string, NonNullable<V>>,
  ): Promise<R> {
    const loads = keys.map((key) => {
      const load = loading.get(key) ?? { generation: 0, loads: 0 };
      loading.set(key, load);
      load.loads += 1;
      return { key, load, generation: load.generation };
    });
    const noted = epoch;
    try {
      const answer = await fill();
      const values = valuesOf(answer);
      for (const { key, load, generation } of loads) {
        const value = values.get(key);
        if (value !== undefined && generation === load.generation && noted === epoch) {
          entries.set(key, value);
        }
      }
      return answer;
    } finally {
      for (const { key, load } of loads) {
        load.loads -= 1;
        if (load.loads === 0) loading.delete(key);
      }
    }
  }

  return {
    async get(key, fill, uncached = fill) {
      if (!active) {
        options.onResult('bypass', 1);
        return uncached();
      }
      const cached = entries.get(key);
      if (cached !== undefined) {
        options.onResult('hit', 1);
        return cached;
      }
      options.onResult('miss', 1);
      return loadAndStore([key], fill, (value) =>
        value === undefined ? new Map() : new Map([[key, value]]),
      );
    },
    async getMany(keys, fill) {
      if (keys.length === 0) return [];
      if (!active) {
        options.onResult('bypass', keys.length);
        const values = await fill(keys);
        return keys.map((key) => values.get(key));
      }
      const found = keys.map((key) => entries.get(key));
      const missing = keys.filter((_, index) => found[index] === undefined);
      if (missing.length < keys.length) options.onResult('hit', keys.length - missing.length);
      if (missing.length === 0) return found;
      options.onResult('miss', missing.length);
      const loaded = await loadAndStore(
        missing,
        () => fill(missing),
        (values) => values,
      );
      return keys.map((key, index) => found[index] ?? loaded.get(key));
    },
    invalidate(key) {
      entries.delete(key);
      const load = loading.get(key);
      if (load !== undefined) load.generation += 1;
    },
    clear,
    isActive: () => active,
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
