import { Type, type Static, type TOptional, type TString } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { RateLimits } from './rate-limit.js';
import { OperatorError } from './operator-error.js';

/** A limit of 0 would refuse everything; a million per window is as good as none. */
const RATE_LIMIT_RANGE = { minimum: 1, maximum: 1_000_000 };
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * A connection URL beginning with `scheme` (a pattern). The `url` format is `new URL()`'s check,
 * the one the clients make when they connect: a URL it can't read stops the start here, named by
 * its variable, instead of failing later with an error that quotes the whole URL, password
 * included. Neither check's message repeats the value.
 */
function connectionUrl(scheme: string): TOptional<TString> {
  return Type.Optional(Type.String({ format: 'url', pattern: `^${scheme}://` }));
}

/**
 * Every setting Keel reads from the environment. This module is the only reader of
 * `process.env` (through `loadConfig`); everything else receives the frozen `Config`.
 */
const Environment = Type.Object({
  NODE_ENV: Type.Union(
    [Type.Literal('development'), Type.Literal('production'), Type.Literal('test')],
    {
      default: 'development',
    },
  ),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65_535, default: 3000 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) =>
      Type.Literal(level),
    ),
    { default: 'info' },
  ),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_URL: connectionUrl('postgres(ql)?'),
  DATABASE_READ_URL: connectionUrl('postgres(ql)?'),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  DATABASE_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  TOKEN_SECRET: Type.Optional(Type.String()),
  TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 30 * 86_400, default: 86_400 }),
  CORS_ORIGINS: Type.String({ default: '' }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  TRUST_PROXY_HOPS: Type.Integer({ minimum: 0, maximum: 10, default: 0 }),
  REDIS_URL: connectionUrl('rediss?'),
  IDEMPOTENCY_WAIT_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 2_000 }),
  NATS_URL: connectionUrl('(nats|tls)'),
  SMTP_URL: connectionUrl('smtps?'),
  MAIL_FROM: Type.String({ minLength: 3, maxLength: 254, default: 'Keel <no-reply@keel.invalid>' }),
  APP_URL: connectionUrl('https?'),
  OUTBOX_RELAY: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1_000 }),
  // At most a minute: a delivery is repeated once its lease lapsed, and the repeat must fall in
  // NATS's 2-minute duplicate window to be dropped (spec.md §4.1).
  OUTBOX_LEASE_MS: Type.Integer({ minimum: 1_000, maximum: 60_000, default: 60_000 }),
  OUTBOX_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  OUTBOX_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3_650, default: 7 }),
  RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE: Type.Integer({ ...RATE_LIMIT_RANGE, default: 10 }),
  RATE_LIMIT_LOGIN_IP_PER_MINUTE: Type.Integer({ ...RATE_LIMIT_RANGE, default: 30 }),
  RATE_LIMIT_REGISTRATION_IP_PER_HOUR: Type.Integer({ ...RATE_LIMIT_RANGE, default: 20 }),
  RATE_LIMIT_WRITES_PER_MINUTE: Type.Integer({ ...RATE_LIMIT_RANGE, default: 120 }),
});

type Environment = Static<typeof Environment>;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly dataDir: string;
  readonly database:
    | { readonly kind: 'embedded' }
    | {
        readonly kind: 'postgres';
        readonly url: string;
        readonly poolSize: number;
        readonly statementTimeoutMs: number;
        readonly connectionTimeoutMs: number;
        readonly requestTimeoutMs: number;
      };
  /** A replica for the article reads; only with a database server. */
  readonly readDatabaseUrl: string | undefined;
  /** When undefined, the server's start-up decides (security/token-secret.ts); migrations need none. */
  readonly tokenSecret: string | undefined;
  readonly tokenTtlSeconds: number;
  readonly corsOrigins: readonly string[];
  /** How long a stopping process waits for in-flight requests before it gives up. */
  readonly shutdownTimeoutMs: number;
  /** Proxies in front of Keel whose X-Forwarded-For is trusted (0: none, the peer is the client). */
  readonly trustProxyHops: number;
  /** Shares rate limits between instances; without it each process counts on its own. */
  readonly redisUrl: string | undefined;
  readonly rateLimits: RateLimits;
  /** How long a request waits for another one running with its idempotency key before a 409. */
  readonly idempotencyWaitMs: number;
  readonly events: {
    /** Publishes every event to NATS JetStream; without it no event leaves the database. */
    readonly natsUrl: string | undefined;
    /** Mails follower notifications and moderation notices; without it development logs them and production sends none. */
    readonly smtpUrl: string | undefined;
    readonly mailFrom: string;
    /**
     * Where readers open the web app (no trailing slash): the links in mail start with it, and
     * without it they are paths alone.
     */
    readonly appUrl: string | undefined;
    /** Whether this instance runs a relay; events are recorded either way. */
    readonly relay: boolean;
    /** How often an idle relay looks for deliveries due (its own commits wake it sooner). */
    readonly pollMs: number;
    /**
     * How long a claimed delivery is its relay's: a relay that dies holds its claims this long.
     * Each delivery gets half of it, and the step in flight then the other half (a mail sent
     * over SMTP a quarter), so it has stopped before the lease lapses.
     */
    readonly leaseMs: number;
    /** Failed tries after which a delivery goes to the dead letters. */
    readonly maxAttempts: number;
    /** How long a delivered event is kept in the outbox. */
    readonly retentionDays: number;
  };
}

/** A setting that is missing or can't be used; the message names the variable, never its value. */
export class ConfigError extends OperatorError {}

/** Secrets shorter than this are guessable offline from any issued token. */
export const TOKEN_SECRET_MIN_BYTES = 32;

const environment = Compile(Environment);

/** The names of every variable Keel reads (the bench keeps the caller's out of its servers). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(Environment.properties);

/** Parses and checks the environment once; the error names the first bad variable. */
export function loadConfig(source: Readonly<Record<string, string | undefined>>): Config {
  const raw = Object.fromEntries(
    CONFIG_VARIABLES.filter((key) => source[key] !== undefined && source[key] !== '').map((key) => [
      key,
      source[key],
    ]),
  );
  // Value.Convert would turn "80.5" into 80 and "true" into 1: whole numbers must look like one.
  for (const [key, schema] of Object.entries(Environment.properties)) {
    const given = raw[key];
    if (
      (schema as { type?: unknown }).type === 'integer' &&
      given !== undefined &&
      !/^\d+$/.test(given)
    ) {
      throw new ConfigError(`invalid environment variable ${key}: must be a whole number`);
    }
  }
  const value = Value.Convert(Environment, Value.Default(Environment, raw));
  const [error] = environment.Errors(value);
  if (error !== undefined) {
    const variable = error.instancePath.split('/')[1] ?? '';
    throw new ConfigError(
      `invalid environment variable ${variable}: ${describe(variable, error.message)}`,
    );
  }
  return toConfig(value as Environment);
}

/** For a choice of values, say which values are allowed instead of the schema's wording. */
function describe(variable: string, message: string): string {
  const schema: unknown = Environment.properties[variable as keyof Environment];
  const choices = (schema as { anyOf?: readonly { const?: unknown }[] } | undefined)?.anyOf;
  return choices === undefined
    ? message
    : `must be one of ${choices.map((choice) => String(choice.const)).join(', ')}`;
}

/** The configuration of this process, from its environment. */
export function loadEnvironmentConfig(): Config {
  return loadConfig(process.env);
}

function toConfig(env: Environment): Config {
  if (
    env.TOKEN_SECRET !== undefined &&
    Buffer.byteLength(env.TOKEN_SECRET) < TOKEN_SECRET_MIN_BYTES
  ) {
    throw new ConfigError(
      `invalid environment variable TOKEN_SECRET: must be at least ${String(TOKEN_SECRET_MIN_BYTES)} bytes`,
    );
  }
  if (env.DATABASE_READ_URL !== undefined && env.DATABASE_URL === undefined) {
    throw new ConfigError(
      'invalid environment variable DATABASE_READ_URL: needs DATABASE_URL (a replica of what?)',
    );
  }
  // A request's statements together get DATABASE_REQUEST_TIMEOUT_MS: one statement allowed
  // longer would be cut short by it, and a wait for an idempotency key as long would answer 503
  // where its 409 belongs.
  for (const [name, value] of [
    ['DATABASE_STATEMENT_TIMEOUT_MS', env.DATABASE_STATEMENT_TIMEOUT_MS],
    ['IDEMPOTENCY_WAIT_MS', env.IDEMPOTENCY_WAIT_MS],
  ] as const) {
    if (value >= env.DATABASE_REQUEST_TIMEOUT_MS) {
      throw new ConfigError(
        `invalid environment variable DATABASE_REQUEST_TIMEOUT_MS: must be more than ${name} (${String(value)})`,
      );
    }
  }
  return Object.freeze({
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    dataDir: env.DATA_DIR,
    database:
      env.DATABASE_URL === undefined
        ? { kind: 'embedded' as const }
        : {
            kind: 'postgres' as const,
            url: env.DATABASE_URL,
            poolSize: env.DATABASE_POOL_SIZE,
            statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
            connectionTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
            requestTimeoutMs: env.DATABASE_REQUEST_TIMEOUT_MS,
          },
    readDatabaseUrl: env.DATABASE_READ_URL,
    tokenSecret: env.TOKEN_SECRET,
    tokenTtlSeconds: env.TOKEN_TTL_SECONDS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    redisUrl: env.REDIS_URL,
    idempotencyWaitMs: env.IDEMPOTENCY_WAIT_MS,
    events: Object.freeze({
      natsUrl: env.NATS_URL,
      smtpUrl: env.SMTP_URL,
      mailFrom: env.MAIL_FROM,
      appUrl: env.APP_URL?.replace(/\/+$/, ''),
      relay: env.OUTBOX_RELAY === 'on',
      pollMs: env.OUTBOX_POLL_MS,
      leaseMs: env.OUTBOX_LEASE_MS,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      retentionDays: env.OUTBOX_RETENTION_DAYS,
    }),
    rateLimits: Object.freeze({
      'login-ip': { max: env.RATE_LIMIT_LOGIN_IP_PER_MINUTE, windowMs: MINUTE_MS },
      'login-account': { max: env.RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE, windowMs: MINUTE_MS },
      'registration-ip': { max: env.RATE_LIMIT_REGISTRATION_IP_PER_HOUR, windowMs: HOUR_MS },
      'write-user': { max: env.RATE_LIMIT_WRITES_PER_MINUTE, windowMs: MINUTE_MS },
    }),
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  });
}
