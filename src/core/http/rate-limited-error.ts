import type { RateLimitName } from '../rate-limit.js';

/**
 * A request over one of its route's rate limits; answered 429 with `Retry-After` by the error
 * handler. An HTTP concern, not a domain rule, so it lives here rather than in the catalogue.
 */
export class RateLimitedError extends Error {
  constructor(
    readonly limit: RateLimitName,
    readonly retryAfterSeconds: number,
  ) {
    super(`rate limit ${limit} exceeded`);
    this.name = 'RateLimitedError';
  }
}
