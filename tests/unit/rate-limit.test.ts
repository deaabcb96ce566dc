import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';
import { decide, rateLimitKey } from '../../src/core/rate-limit.js';

const LIMIT = { max: 3, windowMs: 60_000 };

describe('decide', () => {
  it('allows every hit up to the limit, the last one included', () => {
    for (const count of [1, 2, 3]) {
      expect(decide(LIMIT, { count, resetInMs: 30_000 })).toEqual({ allowed: true });
    }
  });

  it('refuses the hit past the limit with the whole seconds left in the window', () => {
    expect(decide(LIMIT, { count: 4, resetInMs: 30_000 })).toEqual({
      allowed: false,
      retryAfterSeconds: 30,
    });
    expect(decide(LIMIT, { count: 9, resetInMs: 1_001 })).toEqual({
      allowed: false,
      retryAfterSeconds: 2,
    });
  });

  it('never says retry after 0 seconds, which would invite an immediate failing retry', () => {
    expect(decide(LIMIT, { count: 4, resetInMs: 1 })).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
  });

  it('answers the full window when the store reports no expiry', () => {
    expect(decide(LIMIT, { count: 4, resetInMs: -1 })).toEqual({
      allowed: false,
      retryAfterSeconds: 60,
    });
  });

  it('refuses exactly the counts above the limit, always with 1 s to the window length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: -2, max: 3_600_000 }),
        (max, windowMs, count, resetInMs) => {
          const decision = decide(
            { max, windowMs },
            { count, resetInMs: resetInMs % (windowMs + 1) },
          );
          expect(decision.allowed).toBe(count <= max);
          if (!decision.allowed) {
            expect(decision.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(decision.retryAfterSeconds).toBeLessThanOrEqual(
              Math.max(1, Math.ceil(windowMs / 1000)),
            );
            expect(Number.isInteger(decision.retryAfterSeconds)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('rateLimitKey', () => {
  it('keeps limits apart for the same subject', () => {
    expect(rateLimitKey('login-ip', '10.0.0.1')).not.toBe(
      rateLimitKey('registration-ip', '10.0.0.1'),
    );
  });
});

describe('rate-limit configuration', () => {
  it('reads each limit from its variable, per minute or per hour as named', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://cache.internal:6380/0',
      RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE: '5',
      RATE_LIMIT_LOGIN_IP_PER_MINUTE: '50',
      RATE_LIMIT_REGISTRATION_IP_PER_HOUR: '7',
      RATE_LIMIT_WRITES_PER_MINUTE: '300',
    });
    expect(config.redisUrl).toBe('rediss://cache.internal:6380/0');
    expect(config.rateLimits).toEqual({
      'login-ip': { max: 50, windowMs: 60_000 },
      'login-account': { max: 5, windowMs: 60_000 },
      'registration-ip': { max: 7, windowMs: 3_600_000 },
      'write-user': { max: 300, windowMs: 60_000 },
    });
    expect(Object.isFrozen(config.rateLimits)).toBe(true);
  });

  it.each([
    ['REDIS_URL', 'http://cache:6379'],
    ['REDIS_URL', '127.0.0.1:6379'],
    ['RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE', '0'],
    ['RATE_LIMIT_LOGIN_IP_PER_MINUTE', '2.5'],
    ['RATE_LIMIT_REGISTRATION_IP_PER_HOUR', '-1'],
    ['RATE_LIMIT_WRITES_PER_MINUTE', '1000001'],
  ])('refuses %s=%s, naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(
      new RegExp(`^invalid environment variable ${variable}: `),
    );
  });
});
