import type { Redis } from 'ioredis';
import type { RateLimitStore, WindowCount } from '../../core/rate-limit.js';

/** Every rate-limit key Keel writes starts with this, so they are easy to find and flush. */
export const RATE_LIMIT_KEY_PREFIX = 'keel:rl:';

/**
 * Fixed-window counters in Redis, shared by every instance using it. One MULTI per hit, atomic:
 * INCR counts, PEXPIRE … NX opens the window on the first hit only (and repairs a counter that
 * somehow lost its expiry), PTTL says when it ends. Needs Redis 7 (the NX flag).
 */
export function createRedisRateLimitStore(client: Redis): RateLimitStore {
  return {
    async hit(key: string, windowMs: number): Promise<WindowCount> {
      const name = RATE_LIMIT_KEY_PREFIX + key;
      const replies = await client
        .multi()
        .incr(name)
        .pexpire(name, windowMs, 'NX')
        .pttl(name)
        .exec();
      return { count: integerReply(replies, 0), resetInMs: integerReply(replies, 2) };
    },
  };
}

type ExecReplies = [error: Error | null, result: unknown][] | null;

/** The integer reply of the command at `index`; a failed or discarded transaction throws. */
function integerReply(replies: ExecReplies, index: number): number {
  if (replies === null) throw new Error('redis discarded the rate-limit transaction');
  const [error, result] = replies[index] ?? [new Error('redis sent no reply'), undefined];
  if (error !== null) throw error;
  if (typeof result !== 'number') throw new Error('redis sent a non-integer rate-limit reply');
  return result;
}
