import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { count, type Logger } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect, inject } from 'vitest';
import { buildApp } from '../../src/core/app.js';
import { loadConfig, type Config } from '../../src/core/config.js';
import {
  embedded,
  type Database,
  type DatabaseHandle,
} from '../../src/infrastructure/db/database.js';
import type { Mailer } from '../../src/domain/notifications/ports.js';
import { projectionDrift } from '../../src/infrastructure/db/projections/projection-drift.js';
import {
  articlesTable,
  articleTagsTable,
  favoritesTable,
  tagsTable,
} from '../../src/infrastructure/db/schema/articles.js';
import { auditEventsTable } from '../../src/infrastructure/db/schema/audit.js';
import { commentsTable } from '../../src/infrastructure/db/schema/comments.js';
import { idempotencyKeysTable } from '../../src/infrastructure/db/schema/idempotency.js';
import { usersTable } from '../../src/infrastructure/db/schema/identity.js';
import {
  deadLettersTable,
  eventDeliveriesTable,
  notificationSendsTable,
  outboxEventsTable,
} from '../../src/infrastructure/db/schema/outbox.js';
import { feedTotalsTable, followsTable } from '../../src/infrastructure/db/schema/profiles.js';

export const TEST_TOKEN_SECRET = 'test-secret-that-is-at-least-32-bytes-long';

/** The most a rate limit allows: tests register hundreds of users from one IP. */
const NO_RATE_LIMIT = '1000000';

/** The environment of `testConfig`, for a test that needs one more variable. */
export const TEST_ENVIRONMENT = {
  NODE_ENV: 'test',
  TOKEN_SECRET: TEST_TOKEN_SECRET,
  RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE: NO_RATE_LIMIT,
  RATE_LIMIT_LOGIN_IP_PER_MINUTE: NO_RATE_LIMIT,
  RATE_LIMIT_REGISTRATION_IP_PER_HOUR: NO_RATE_LIMIT,
  RATE_LIMIT_WRITES_PER_MINUTE: NO_RATE_LIMIT,
  // Deliveries stay in the outbox where a test can see them; relay tests run one themselves.
  OUTBOX_RELAY: 'off',
} as const;

/** Rate limits are out of the way (tests/integration/rate-limits.test.ts sets its own). */
export const testConfig: Config = loadConfig(TEST_ENVIRONMENT);

/** What a test app is built with besides its database: test config, fixed secret, cheap hash. */
export const TEST_APP_OPTIONS = {
  config: testConfig,
  tokenSecret: TEST_TOKEN_SECRET,
  passwordCost: { memoryCost: 1024, timeCost: 1 },
} as const;

export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: Database;
  close(): Promise<void>;
}

/** A fresh, migrated in-memory PGlite, loaded from the run's template. */
export async function openTestClient(): Promise<PGlite> {
  const dump = await readFile(inject('pgliteTemplate'));
  return PGlite.create({ loadDataDir: new Blob([dump]) });
}

/** A fresh, migrated in-memory database for one test file, loaded from the run's template. */
export async function openTestDatabase(logger?: Logger): Promise<DatabaseHandle> {
  return embedded(await openTestClient(), logger);
}

/**
 * The real app on its own PGlite database; only Argon2's cost is lowered, to keep tests fast.
 * `mailer` captures the notifications; `extend` may register test-only routes before the app is
 * ready; `database`, a test's own (closed with the app), replaces the fresh one.
 */
export async function createTestApp(
  config: Config = testConfig,
  logger?: Logger,
  {
    mailer,
    extend,
    database: given,
  }: {
    mailer?: Mailer;
    extend?: (app: FastifyInstance) => Promise<void>;
    database?: DatabaseHandle;
  } = {},
): Promise<TestApp> {
  const database = given ?? (await openTestDatabase(logger));
  const app = await buildApp({
    ...TEST_APP_OPTIONS,
    config,
    database,
    ...(mailer && { mailer }),
  });
  await extend?.(app);
  await app.ready();
  return {
    app,
    db: database.db,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

const TABLES: Readonly<Record<string, PgTable>> = {
  users: usersTable,
  follows: followsTable,
  feedTotals: feedTotalsTable,
  articles: articlesTable,
  tags: tagsTable,
  articleTags: articleTagsTable,
  favorites: favoritesTable,
  comments: commentsTable,
  idempotencyKeys: idempotencyKeysTable,
  outboxEvents: outboxEventsTable,
  eventDeliveries: eventDeliveriesTable,
  deadLetters: deadLettersTable,
  notificationSends: notificationSendsTable,
  auditEvents: auditEventsTable,
};

/** Row counts of every table: equal before and after a rejected request means nothing was written. */
export async function rowCounts(db: Database): Promise<Record<string, number>> {
  const entries = await Promise.all(
    Object.entries(TABLES).map(async ([name, table]) => {
      const [row] = await db.select({ count: count() }).from(table);
      return [name, row?.count ?? 0] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** How many rows each table gained (positive) or lost (negative); unchanged tables are left out. */
export function rowChanges(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([table, rows]) => [table, rows - (before[table] ?? 0)] as const)
      .filter(([, change]) => change !== 0),
  );
}

/**
 * Sends `request` to `t` and expects it refused: `status`, both error shapes (`errors` matching
 * `errors`, `error.code` equal to `code`) and not a row written anywhere.
 */
export async function expectRefused(
  t: TestApp,
  request: InjectOptions,
  status: number,
  code: string,
  errors: Readonly<Record<string, unknown>>,
): Promise<void> {
  const before = await rowCounts(t.db);
  const response = await t.app.inject(request);
  expect(response.statusCode).toBe(status);
  expect(response.json()).toMatchObject({ errors, error: { code, message: expect.any(String) } });
  expect(await rowCounts(t.db)).toEqual(before);
}

/** The columns of the read projection (spec.md §3.1) that are off, by name; `[]` when exact. */
export async function driftedColumns(db: Database): Promise<string[]> {
  return (await projectionDrift(db))
    .filter((drift) => drift.rowsOff > 0)
    .map((drift) => drift.column);
}
