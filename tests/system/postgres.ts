import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/core/app.js';
import {
  connectPostgres,
  type Database,
  type DatabaseHandle,
} from '../../src/infrastructure/db/database.js';
import { expect } from 'vitest';
import { TEST_APP_OPTIONS } from '../helpers/app.js';
import { createArticle, registerUser, type RegisteredUser } from '../helpers/factories.js';

/**
 * Bounds for the network fault tests: a statement is given up on at `query_timeout`, their sum,
 * 2 s, so an answer that is not coming fails a test's request within seconds.
 */
export const SHORT_BOUNDS = { statementTimeoutMs: 1_000, connectionTimeoutMs: 1_000 } as const;

/** Idle connections the server ended (a database dropped under a pool); kept for assertions. */
export const poolWarnings = {
  seen: [] as string[],
  warn(details: object, message: string): void {
    this.seen.push(`${message} ${JSON.stringify(details)}`);
  },
};

export interface TestPostgres {
  readonly handle: DatabaseHandle;
  /** Connection URL of the throwaway database, for processes started by a test. */
  readonly url: string;
  /** Closes the pool and drops the database, even if a test left connections open. */
  drop(): Promise<void>;
}

/** Runs `work` on a connection to the admin database; connection errors propagate. */
async function withAdmin(adminUrl: string, work: (client: pg.Client) => Promise<void>) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Waits briefly for the sessions on database `name` to end. */
async function sessionsGone(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { rows } = await client.query<{ sessions: number }>(
      'select count(*)::int as sessions from pg_stat_activity where datname = $1',
      [name],
    );
    if (rows[0]?.sessions === 0) return;
    await sleep(20);
  }
}

/**
 * A throwaway database on the server `TEST_DATABASE_URL` names, migrated and reached through
 * the production pool (10 connections unless `poolSize`). The name is generated hex only, so it
 * needs no quoting.
 */
export async function createTestPostgres(poolSize = 10): Promise<TestPostgres> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl === undefined) throw new Error('TEST_DATABASE_URL is not set');
  const name = `keel_test_${randomBytes(8).toString('hex')}`;
  await withAdmin(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
  });

  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = connectPostgres(
    { url: url.toString(), poolSize, statementTimeoutMs: 5_000, connectionTimeoutMs: 5_000 },
    poolWarnings,
  );
  const drop = async (): Promise<void> => {
    await handle.close();
    await withAdmin(adminUrl, async (client) => {
      // pool.end() resolves before its sessions have hung up; FORCE alone would cut them off
      // mid-goodbye and their clients would raise the termination as an uncaught error.
      await sessionsGone(client, name);
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  };

  try {
    await handle.migrate();
  } catch (error) {
    await drop();
    throw error;
  }
  return { handle, url: url.toString(), drop };
}

/** A throwaway database with one author and one of their articles, and how to reach them. */
export interface PostgresWithArticle {
  readonly database: TestPostgres;
  readonly author: RegisteredUser;
  readonly slug: string;
}

/**
 * A throwaway database holding one author and one article, written through a Keel app that is
 * closed again: for a test that then reaches the database through a fault of its own (a proxy).
 */
export async function createPostgresWithArticle(): Promise<PostgresWithArticle> {
  const database = await createTestPostgres();
  try {
    const direct = await buildApp({ ...TEST_APP_OPTIONS, database: database.handle });
    try {
      const author = await registerUser(direct);
      const { slug } = await createArticle(direct, author);
      return { database, author, slug };
    } finally {
      await direct.close();
    }
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** Sends `size` reads at once, so that a pool of that size opens every connection; all answer 200. */
export async function openEveryConnection(app: FastifyInstance, size: number): Promise<void> {
  const warm = await Promise.all(
    Array.from({ length: size }, () => app.inject({ method: 'GET', url: '/api/v1/tags' })),
  );
  expect(warm.map((response) => response.statusCode)).toEqual(warm.map(() => 200));
}

export interface SystemApp {
  readonly app: FastifyInstance;
  readonly db: Database;
  /** Connection URL of its database, for another pool on it. */
  readonly url: string;
  /** Closes the app, then drops its database. */
  close(): Promise<void>;
}

/**
 * The real app on its own throwaway PostgreSQL database; only Argon2's cost is lowered. With a
 * `poolSize` of 1 every statement runs in one session, whose state a test can read.
 */
export async function createSystemApp(poolSize?: number): Promise<SystemApp> {
  const postgres = await createTestPostgres(poolSize);
  try {
    const app = await buildApp({
      ...TEST_APP_OPTIONS,
      database: postgres.handle,
    });
    await app.ready();
    return {
      app,
      db: postgres.handle.db,
      url: postgres.url,
      async close() {
        await app.close();
        await postgres.drop();
      },
    };
  } catch (error) {
    await postgres.drop();
    throw error;
  }
}

/** Resolves once `expected` sessions of this database are waiting for a lock. */
export async function waitForLockWaiters(db: Database, expected: number): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    // Inside a transaction the activity view is a snapshot unless it is cleared.
    await db.execute(sql`select pg_stat_clear_snapshot()`);
    const [row] = await db
      .select({ waiting: sql<number>`count(*)::int` })
      .from(sql`pg_stat_activity`)
      .where(sql`datname = current_database() and wait_event_type = 'Lock'`);
    if ((row?.waiting ?? 0) >= expected) return;
    await sleep(10);
  }
  throw new Error(`fewer than ${String(expected)} sessions ever waited for a lock`);
}
