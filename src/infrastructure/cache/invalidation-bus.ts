import type { Invalidation, ReadCaches } from './read-caches.js';

/** How a committed write makes the cached views it changed stale (spec.md §5). */
export interface InvalidationBus {
  /** Drops what `invalidation` names here and on every instance that caches; never throws. */
  publish(invalidation: Invalidation): Promise<void>;
}

/**
 * Invalidation without Redis: this process hears only its own writes, so it caches only when it
 * is the only writer (`soleWriter`: an embedded database); otherwise every read stays uncached.
 */
export function createLocalInvalidationBus(
  caches: ReadCaches,
  soleWriter: boolean,
): InvalidationBus {
  if (soleWriter) caches.resume();
  return {
    publish(invalidation) {
      caches.apply(invalidation);
      return Promise.resolve();
    },
  };
}
