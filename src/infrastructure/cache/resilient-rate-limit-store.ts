import type { RateLimitStore, RateLimitStoreHealth, WindowCount } from '../../core/rate-limit.js';
import type { RedisGuard } from './redis-guard.js';

/** Where the store reports that it degraded or recovered; pino and Fastify's logger fit. */
export interface StoreLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface ResilientRateLimitStore extends RateLimitStore {
  /** A plain function (no `this`): the metrics take it as their source. */
  readonly health: () => RateLimitStoreHealth;
}

/**
 * `shared` (Redis) behind `guard` (a timeout and a circuit breaker), with `fallback` (this
 * process's memory) answering whenever it fails, is slow or the breaker is open: a request is
 * never refused or held because Redis is down, it is only counted per instance meanwhile. Logs
 * once per change (failing, recovered), never per request; the guard logs its breaker opening.
 */
export function createResilientRateLimitStore(
  shared: RateLimitStore,
  fallback: RateLimitStore,
  guard: RedisGuard,
  log: StoreLog,
): ResilientRateLimitStore {
  let fallbacks = 0;
  let degraded = false;
  return {
    async hit(key: string, windowMs: number): Promise<WindowCount> {
      try {
        const count = await guard.run(() => shared.hit(key, windowMs));
        if (degraded) {
          degraded = false;
          log.info({ fallbacks }, 'rate-limit store recovered: counting in redis again');
        }
        return count;
      } catch (error) {
        fallbacks += 1;
        if (!degraded) {
          degraded = true;
          log.warn(
            { err: summary(error), timeoutMs: guard.timeoutMs },
            'rate-limit store failed: counting in this instance until redis answers',
          );
        }
        return fallback.hit(key, windowMs);
      }
    },
    health: () => ({ breaker: guard.state(), fallbacks }),
  };
}

/** Name, code and message only: a Redis reply error carries the command and its keys. */
function summary(error: unknown): { name: string; code?: unknown; message: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const { code } = error as { code?: unknown };
  return { name: error.name, code, message: error.message };
}
