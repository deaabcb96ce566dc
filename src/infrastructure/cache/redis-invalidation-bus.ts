import type { Redis } from 'ioredis';
import type { CacheMetrics } from '../../core/http/cache-metrics.js';
import type { InvalidationBus } from './invalidation-bus.js';
import { INVALIDATE_ALL, type Invalidation, type ReadCaches } from './read-caches.js';
import type { RedisGuard } from './redis-guard.js';

/** The Redis channel every instance publishes its invalidations on and listens to. */
export const INVALIDATION_CHANNEL = 'keel:cache:invalidate';

/** Where the bus reports its channel going down and up; pino and Fastify's logger fit. */
export interface BusLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface RedisInvalidationBusOptions {
  /** Sends invalidations; any connected client (the rate limits' one). */
  readonly publisher: Redis;
  /**
   * The publisher's timeout and breaker, shared with the rate limits: a write waits for its
   * invalidation's publication, so a Redis that hangs must not hold every write for the client's
   * command timeout.
   */
  readonly guard: RedisGuard;
  /** A connection of its own: once subscribed, Redis accepts no other command on it. */
  readonly subscriber: Redis;
  readonly log: BusLog;
  readonly metrics: CacheMetrics;
}

const UNREADABLE = 'cache invalidation unreadable: clearing every cache';

/** Absent, `'all'`, or a list of keys. */
const isKeys = (value: unknown): boolean =>
  value === undefined ||
  value === 'all' ||
  (Array.isArray(value) && value.every((item) => typeof item === 'string'));

function isInvalidation(value: unknown): value is Invalidation {
  if (typeof value !== 'object' || value === null) return false;
  const { articles, profiles, tags, accounts } = value as Partial<
    Record<keyof Invalidation, unknown>
  >;
  return (
    isKeys(articles) &&
    isKeys(profiles) &&
    isKeys(accounts) &&
    (tags === undefined || typeof tags === 'boolean')
  );
}

/** Name and message only: a Redis reply error may quote the command. */
function summary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: typeof error, message: String(error) };
}

/**
 * Invalidations shared through Redis pub/sub (spec.md §5, "Across instances"). The caches run
 * only while `subscriber` is subscribed: paused when its connection drops (messages sent
 * meanwhile are lost), emptied and resumed once it has subscribed again. Connects `subscriber`.
 */
export function createRedisInvalidationBus(
  caches: ReadCaches,
  { publisher, guard, subscriber, log, metrics }: RedisInvalidationBusOptions,
): InvalidationBus {
  let subscribed = false;
  let failing = false;

  /** What `message` invalidates; everything when it can't be read (a sender of another version). */
  function read(message: string): Invalidation {
    let value: unknown;
    try {
      value = JSON.parse(message);
    } catch (error) {
      log.warn({ err: summary(error) }, UNREADABLE);
      return INVALIDATE_ALL;
    }
    if (isInvalidation(value)) return value;
    log.warn({}, UNREADABLE);
    return INVALIDATE_ALL;
  }

  async function subscribe(): Promise<void> {
    try {
      await subscriber.subscribe(INVALIDATION_CHANNEL);
    } catch (error) {
      log.warn({ err: summary(error) }, 'cache invalidation channel: subscribing failed');
      // Still connected but not subscribed: reconnect, which subscribes again once ready.
      if (subscriber.status === 'ready') subscriber.disconnect(true);
      return;
    }
    if (subscribed || subscriber.status !== 'ready') return;
    subscribed = true;
    caches.resume();
    metrics.subscribed(true);
    log.info({ channel: INVALIDATION_CHANNEL }, 'cache invalidation channel subscribed: caching');
  }

  // `ready` follows every (re)connection, so each one subscribes again.
  subscriber.on('ready', () => {
    void subscribe();
  });
  subscriber.on('close', () => {
    caches.pause();
    if (!subscribed) return;
    subscribed = false;
    metrics.subscribed(false);
    // `end`: closed on purpose (shutdown), not lost.
    if (subscriber.status !== 'end') {
      log.warn({}, 'cache invalidation channel lost: reads bypass the cache until it is back');
    }
  });
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== INVALIDATION_CHANNEL) return;
    metrics.invalidation('received');
    caches.apply(read(message));
  });
  subscriber.connect().catch((error: unknown) => {
    log.warn(
      { err: summary(error) },
      'redis unreachable at start: reads uncached until it answers',
    );
  });

  return {
    async publish(invalidation) {
      // This instance first, so its own next read is fresh whatever Redis does.
      caches.apply(invalidation);
      try {
        await guard.run(() =>
          publisher.publish(INVALIDATION_CHANNEL, JSON.stringify(invalidation)),
        );
        metrics.invalidation('published');
        if (failing) {
          failing = false;
          log.info({}, 'cache invalidations published again');
        }
      } catch (error) {
        // Failed, slow, or skipped by the open breaker. The write has committed: the other
        // instances may serve the old view until it expires. Counted each time, logged once per
        // outage.
        metrics.invalidation('failed');
        if (!failing) {
          failing = true;
          log.warn(
            { err: summary(error) },
            'cache invalidation not published: other instances may serve the old view for up to 10 s',
          );
        }
      }
    },
  };
}
