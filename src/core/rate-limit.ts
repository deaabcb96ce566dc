/**
 * Rate limiting: the named limits, the store port they count in, and the policy that decides.
 * Fixed windows: a key's first hit opens a window of `windowMs`; every hit in it adds one; the
 * window ends `windowMs` after it opened, whatever happened in between.
 */

/** The limits a route can declare (`config.rateLimit`), each counted per its own subject. */
export const RATE_LIMIT_NAMES = [
  /** Login attempts from one client IP, whatever the account. */
  'login-ip',
  /** Login attempts on one account (the lower-cased email), whatever the IP. */
  'login-account',
  /** Registrations from one client IP. */
  'registration-ip',
  /** Writes (POST, PUT, DELETE) by one authenticated user. */
  'write-user',
] as const;

export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

/** At most `max` hits per window of `windowMs`. */
export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

export type RateLimits = Readonly<Record<RateLimitName, RateLimit>>;

/** A key's count in its current window and how long until that window ends. */
export interface WindowCount {
  readonly count: number;
  readonly resetInMs: number;
}

/** Fixed-window counters; shared by every instance when it is Redis, per process otherwise. */
export interface RateLimitStore {
  /** Adds one hit to `key`'s current window (opening one of `windowMs` if none) and counts it. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
}

/** A circuit breaker's state; also the value of the `redis_breaker_state` gauge, by index. */
export const BREAKER_STATES = ['closed', 'half-open', 'open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** How a store that can fall back is doing, for metrics (falling back is by design, so it never fails readiness). */
export interface RateLimitStoreHealth {
  readonly breaker: BreakerState;
  /** Hits answered by the per-process fallback since start. */
  readonly fallbacks: number;
}

export type RateLimitDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Allowed while the window's count is within the limit; otherwise the whole seconds until the
 * window ends (at least 1, since `Retry-After: 0` invites an immediate retry that fails again).
 */
export function decide(limit: RateLimit, window: WindowCount): RateLimitDecision {
  if (window.count <= limit.max) return { allowed: true };
  // A store that lost the window's expiry reports none; the full window is the safe answer.
  const resetInMs = window.resetInMs > 0 ? window.resetInMs : limit.windowMs;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)) };
}

/** The store key of one limit and one subject (an IP, an account digest, a user id). */
export function rateLimitKey(name: RateLimitName, subject: string): string {
  return `${name}:${subject}`;
}
