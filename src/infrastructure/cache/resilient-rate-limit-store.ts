import {
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type {
  BreakerState,
  RateLimitStore,
  RateLimitStoreHealth,
  WindowCount,
} from '../../core/rate-limit.js';

/** Where the store reports that it degraded or recovered; pino and Fastify's logger fit. */
export interface StoreLog {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export interface ResilientRateLimitStoreOptions {
  /** A hit the shared store has not answered by then is answered by the fallback. */
  readonly timeoutMs?: number;
  /** Consecutive failures (timeouts included) that open the breaker. */
  readonly failuresToOpen?: number;
  /** How long the open breaker keeps calls away before one probe may test the shared store. */
  readonly halfOpenAfterMs?: number;
}

export interface ResilientRateLimitStore extends RateLimitStore {
  /** A plain function (no `this`): the metrics take it as their source. */
  readonly health: () => RateLimitStoreHealth;
}

const STATES: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

/**
 * `shared` (Redis) behind a timeout and a circuit breaker, with `fallback` (this process's
 * memory) answering whenever it fails, is slow or the breaker is open: a request is never
 * refused or held because Redis is down, it is only counted per instance meanwhile. The breaker
 * lets one probe through every `halfOpenAfterMs`, so Redis coming back is noticed without a
 * restart. Logs once per change (failing, breaker open, recovered), never per request.
 */
export function createResilientRateLimitStore(
  shared: RateLimitStore,
  fallback: RateLimitStore,
  log: StoreLog,
  options: ResilientRateLimitStoreOptions = {},
): ResilientRateLimitStore {
  const { timeoutMs = 50, failuresToOpen = 5, halfOpenAfterMs = 5_000 } = options;
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(failuresToOpen),
  });
  // Aggressive: the caller gets its answer at the deadline even if the command never settles.
  // Nothing reads the policy's abort signal, so it is not aborted on each return: cockatiel's
  // default (`abortOnReturn`) builds an AbortError, stack trace included, on every hit, which
  // cost each rate-limited write several percent of its CPU (docs/performance.md, "With Redis").
  const policy = wrap(
    breaker,
    timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
  );

  let fallbacks = 0;
  let degraded = false;
  let breakerOpened = false;
  breaker.onStateChange((state) => {
    // Open → half-open → open repeats every probe while Redis is down: say it once per outage.
    if (state === CircuitState.Open && !breakerOpened) {
      breakerOpened = true;
      log.warn(
        { halfOpenAfterMs },
        'redis circuit breaker open: rate limits are counted per instance until redis recovers',
      );
    } else if (state === CircuitState.Closed) {
      // The recovery itself is logged once, by the successful hit below.
      breakerOpened = false;
    }
  });

  return {
    async hit(key: string, windowMs: number): Promise<WindowCount> {
      try {
        const count = await policy.execute(() => shared.hit(key, windowMs));
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
            { err: summary(error), timeoutMs },
            'rate-limit store failed: counting in this instance until redis answers',
          );
        }
        return fallback.hit(key, windowMs);
      }
    },
    health: () => ({ breaker: STATES[breaker.state], fallbacks }),
  };
}

/** Name, code and message only: a Redis reply error carries the command and its keys. */
function summary(error: unknown): { name: string; code?: unknown; message: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const { code } = error as { code?: unknown };
  return { name: error.name, code, message: error.message };
}
