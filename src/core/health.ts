import type { BreakerState } from './rate-limit.js';

/** One dependency's state, as `/health/ready` reports it. */
export interface DependencyStatus {
  readonly name: string;
  readonly ready: boolean;
  /** What an operator needs to know, never a secret or a connection string. */
  readonly detail: string;
}

/** Checks every dependency a request needs; ready only when all of them are. */
export type ReadinessCheck = () => Promise<readonly DependencyStatus[]>;

/**
 * Redis as readiness reports it: always ready, since Keel serves without it (rate limits count
 * per instance, invalidations go unpublished, reads go uncached), but the breaker's state says
 * which mode this instance is in.
 */
export function redisStatus(breaker: BreakerState): DependencyStatus {
  return {
    name: 'redis',
    ready: true,
    detail:
      breaker === 'closed'
        ? 'breaker closed: rate limits shared, invalidations published'
        : `breaker ${breaker}: rate limits counted per instance, invalidations not published, until Redis answers`,
  };
}
