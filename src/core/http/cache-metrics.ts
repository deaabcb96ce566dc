import { Counter, Gauge, type Registry } from 'prom-client';

/** How a cacheable read was answered: from memory, by the database then stored, or uncached while caching is off. */
export type CacheResult = 'hit' | 'miss' | 'bypass';

/** What became of an invalidation on the shared channel: sent and taken by Redis, heard, or lost. */
export type InvalidationOutcome = 'published' | 'received' | 'failed';

/** What the read cache and its invalidation channel report to Prometheus. */
export interface CacheMetrics {
  /** `keys` reads of `cache` answered as `result`. */
  readonly request: (cache: string, result: CacheResult, keys: number) => void;
  readonly invalidation: (outcome: InvalidationOutcome) => void;
  /** The invalidation channel went up (`true`) or down. */
  readonly subscribed: (up: boolean) => void;
}

/**
 * Adds `cache_requests_total{cache,result}`, `cache_invalidations_total{outcome}` and, when
 * instances share an invalidation channel (Redis), the `cache_subscribed` gauge to `registry`.
 */
export function registerCacheMetrics(registry: Registry, shared: boolean): CacheMetrics {
  const requests = new Counter({
    name: 'cache_requests_total',
    help: "Reads the cache could serve (anonymous views, the tag list, each card of a list page, a read's token standing): hit, miss (read from the database and stored) or bypass (caching off)",
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
  });
  const invalidations = new Counter({
    name: 'cache_invalidations_total',
    help: 'Invalidations on the shared channel: published (Redis took it), received, failed (not published)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const subscribed = shared
    ? new Gauge({
        name: 'cache_subscribed',
        help: '1 while this instance hears invalidations (and so caches), 0 while it reads uncached',
        registers: [registry],
      })
    : undefined;
  subscribed?.set(0);
  return {
    request: (cache, result, keys) => {
      requests.inc({ cache, result }, keys);
    },
    invalidation: (outcome) => {
      invalidations.inc({ outcome });
    },
    subscribed: (up) => {
      subscribed?.set(up ? 1 : 0);
    },
  };
}
