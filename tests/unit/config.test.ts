import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/core/config.js';

const SECRET = 's'.repeat(32);

function errorOf(source: Record<string, string>): string {
  try {
    loadConfig(source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies a default to every unset variable', () => {
    expect(loadConfig({})).toEqual({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      logLevel: 'info',
      dataDir: './data',
      database: { kind: 'embedded' },
      readDatabaseUrl: undefined,
      tokenSecret: undefined,
      tokenTtlSeconds: 86_400,
      shutdownTimeoutMs: 10_000,
      trustProxyHops: 0,
      corsOrigins: [],
      redisUrl: undefined,
      idempotencyWaitMs: 2_000,
      events: {
        natsUrl: undefined,
        smtpUrl: undefined,
        mailFrom: 'Keel <no-reply@keel.invalid>',
        appUrl: undefined,
        relay: true,
        pollMs: 1_000,
        leaseMs: 60_000,
        maxAttempts: 10,
        retentionDays: 7,
      },
      rateLimits: {
        'login-ip': { max: 30, windowMs: 60_000 },
        'login-account': { max: 10, windowMs: 60_000 },
        'registration-ip': { max: 20, windowMs: 3_600_000 },
        'write-user': { max: 120, windowMs: 60_000 },
      },
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', NODE_ENV: '' })).toMatchObject({
      port: 3000,
      env: 'development',
    });
  });

  it('converts numbers and ignores variables it does not know', () => {
    const config = loadConfig({ PORT: '8080', TOKEN_TTL_SECONDS: '3600', UNRELATED: 'x' });
    expect(config).toMatchObject({ port: 8080, tokenTtlSeconds: 3600 });
  });

  it('returns a frozen config', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['TOKEN_TTL_SECONDS', '59'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', 'soon'],
    ['DATABASE_REQUEST_TIMEOUT_MS', '99'],
    ['OUTBOX_LEASE_MS', '999'],
    ['OUTBOX_LEASE_MS', '60001'],
  ])('names %s in the error for the bad value %j', (variable, value) => {
    expect(errorOf({ [variable]: value })).toMatch(
      new RegExp(`^invalid environment variable ${variable}: `),
    );
  });

  it('refuses a PORT that is not a whole number instead of coercing it', () => {
    expect(errorOf({ PORT: '80.5' })).toMatch(/^invalid environment variable PORT: /);
    expect(errorOf({ PORT: 'true' })).toMatch(/^invalid environment variable PORT: /);
  });

  it('lists the allowed values of NODE_ENV', () => {
    expect(errorOf({ NODE_ENV: 'prod' })).toBe(
      'invalid environment variable NODE_ENV: must be one of development, production, test',
    );
  });

  it('lists the allowed values of LOG_LEVEL', () => {
    expect(errorOf({ LOG_LEVEL: 'verbose' })).toBe(
      'invalid environment variable LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    );
  });

  it('refuses a TOKEN_SECRET shorter than 32 bytes', () => {
    expect(errorOf({ TOKEN_SECRET: 's'.repeat(31) })).toBe(
      'invalid environment variable TOKEN_SECRET: must be at least 32 bytes',
    );
  });

  it('measures TOKEN_SECRET in bytes, not characters', () => {
    expect(loadConfig({ TOKEN_SECRET: 'é'.repeat(16) }).tokenSecret).toBe('é'.repeat(16));
  });

  it('keeps TOKEN_SECRET in production (start-up, not loading, requires it: migrations need none)', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).tokenSecret).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production', TOKEN_SECRET: SECRET })).toMatchObject({
      env: 'production',
      tokenSecret: SECRET,
    });
  });

  it('uses PostgreSQL with its pool settings when DATABASE_URL is a postgres URL', () => {
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://keel@db/keel',
        DATABASE_POOL_SIZE: '4',
        TOKEN_SECRET: SECRET,
      }).database,
    ).toEqual({
      kind: 'postgres',
      url: 'postgres://keel@db/keel',
      poolSize: 4,
      statementTimeoutMs: 5_000,
      connectionTimeoutMs: 5_000,
      requestTimeoutMs: 10_000,
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgresql://db/keel', TOKEN_SECRET: SECRET }).database.kind,
    ).toBe('postgres');
  });

  it('refuses DATABASE_READ_URL without DATABASE_URL', () => {
    expect(errorOf({ DATABASE_READ_URL: 'postgres://replica/keel' })).toMatch(
      /^invalid environment variable DATABASE_READ_URL: needs DATABASE_URL/,
    );
    expect(
      loadConfig({
        DATABASE_URL: 'postgres://db/keel',
        DATABASE_READ_URL: 'postgres://replica/keel',
      }).readDatabaseUrl,
    ).toBe('postgres://replica/keel');
  });

  it.each([
    [{ DATABASE_STATEMENT_TIMEOUT_MS: '10000' }, 'DATABASE_STATEMENT_TIMEOUT_MS (10000)'],
    [{ IDEMPOTENCY_WAIT_MS: '10000' }, 'IDEMPOTENCY_WAIT_MS (10000)'],
  ])(
    'refuses a request timeout that one statement or an idempotency wait could fill: %j',
    (environment, named) => {
      expect(errorOf(environment)).toBe(
        `invalid environment variable DATABASE_REQUEST_TIMEOUT_MS: must be more than ${named}`,
      );
    },
  );

  it('takes APP_URL without its trailing slash, and refuses one that is not http(s)', () => {
    expect(loadConfig({ APP_URL: 'https://conduit.example/app/' }).events.appUrl).toBe(
      'https://conduit.example/app',
    );
    expect(errorOf({ APP_URL: 'javascript:alert(1)' })).toMatch(
      /^invalid environment variable APP_URL: /,
    );
  });

  it('refuses a DATABASE_URL that is not postgres://', () => {
    expect(errorOf({ DATABASE_URL: 'mysql://db/keel' })).toMatch(
      /^invalid environment variable DATABASE_URL: /,
    );
  });

  it.each([
    ['DATABASE_URL', 'postgres://keel:Pa55word@127.0.0.1:5432x/keel'],
    ['DATABASE_READ_URL', 'postgres://keel:Pa55word@replica:5432x/keel'],
    ['REDIS_URL', 'redis://:Pa55word@127.0.0.1:63790x'],
    ['NATS_URL', 'nats://keel:Pa55word@127.0.0.1:4222x'],
    ['SMTP_URL', 'smtps://mailer:Pa55word@smtp.example.com:4650x'],
  ])('refuses a %s that new URL() cannot read, naming it but not its value', (variable, value) => {
    expect(errorOf({ DATABASE_URL: 'postgres://keel@db/keel', [variable]: value })).toBe(
      `invalid environment variable ${variable}: must match format "url"`,
    );
  });

  it('takes a PostgreSQL Unix socket written as new URL() reads it', () => {
    for (const url of [
      'postgres://keel@%2Frun%2Fpostgresql/keel',
      'postgres:///keel?host=/run/postgresql&user=keel',
    ]) {
      expect(loadConfig({ DATABASE_URL: url, TOKEN_SECRET: SECRET }).database).toMatchObject({
        url,
      });
    }
  });

  it('takes a shorter OUTBOX_LEASE_MS, the time a dead relay holds its claims', () => {
    expect(loadConfig({ OUTBOX_LEASE_MS: '5000' }).events.leaseMs).toBe(5_000);
  });

  it('splits CORS_ORIGINS on commas, trimming and dropping empty entries', () => {
    expect(
      loadConfig({ CORS_ORIGINS: ' https://a.example , https://b.example,, ' }).corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });
});
