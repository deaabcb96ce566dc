import {
  CircuitState,
  ConsecutiveBreaker,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
} from 'cockatiel';
import type { BreakerState } from '../../core/rate-limit.js';

/** Where the guard reports that its breaker opened; pino and Fastify's logger fit. */
export interface GuardLog {
  warn(details: object, message: string): void;
}

export interface RedisGuardOptions {
  /** A call Redis has not answered by then fails, and its caller goes on without Redis. */
  readonly timeoutMs?: number;
  /** Consecutive failures (timeouts included) that open the breaker. */
  readonly failuresToOpen?: number;
  /** How long the open breaker keeps calls away before one probe may test Redis. */
  readonly halfOpenAfterMs?: number;
}

/**
 * Every call a request waits on Redis for (a rate-limit hit, a cache invalidation's publication)
 * behind one timeout and one circuit breaker: Redis is one dependency, so a Redis that fails or
 * hangs for one caller is skipped by all of them at once, and none waits for it meanwhile.
 */
export interface RedisGuard {
  /**
   * Runs `call`; rejects when it fails, when Redis has not answered within the timeout (the call
   * may still complete later), or at once, without calling, while the breaker is open.
   */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** A plain function (no `this`): metrics and readiness take it as their source. */
  readonly state: () => BreakerState;
  readonly timeoutMs: number;
}

const STATES: Readonly<Record<CircuitState, BreakerState>> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

/**
 * A guard whose breaker lets one probe through every `halfOpenAfterMs`, so Redis coming back is
 * noticed without a restart. Logs once per outage, when the breaker first opens; the callers log
 * their own fallback and recovery.
 */
export function createRedisGuard(log: GuardLog, options: RedisGuardOptions = {}): RedisGuard {
  const { timeoutMs = 50, failuresToOpen = 5, halfOpenAfterMs = 5_000 } = options;
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(failuresToOpen),
  });
  // Aggressive: the caller gets its answer at the deadline even if the command never settles.
  // Nothing reads the policy's abort signal, so it is not aborted on each return: cockatiel's
  // default (`abortOnReturn`) builds an AbortError, stack trace included, on every call, which
  // cost each rate-limited write several percent of its CPU (docs/performance.md, "With Redis").
  const policy = wrap(
    breaker,
    timeout(timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
  );
  let opened = false;
  breaker.onStateChange((state) => {
    // Open → half-open → open repeats every probe while Redis is down: say it once per outage.
    if (state === CircuitState.Open && !opened) {
      opened = true;
      log.warn(
        { halfOpenAfterMs },
        'redis circuit breaker open: rate limits are counted per instance and cache invalidations ' +
          'are not published until redis recovers',
      );
    } else if (state === CircuitState.Closed) {
      opened = false;
    }
  });
  return {
    run: (call) => policy.execute(call),
    state: () => STATES[breaker.state],
    timeoutMs,
  };
}
