import { PGlite } from '@electric-sql/pglite';
import { sql, type Logger } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Config } from '../../core/config.js';
import { lockDataDir } from './data-dir-lock.js';
import { drizzleOn, onPooledClient } from './transaction.js';

/** The one database type repositories and queries see, whatever the driver underneath. */
export type Database = PgDatabase<PgQueryResultHKT>;

/** Connections of a pool, for metrics; an embedded database has one and no pool. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface DatabaseHandle {
  readonly db: Database;
  /**
   * Where readiness asks. On PostgreSQL a pool of one connection of its own, so that the check
   * never queues behind requests holding every pooled connection (spec.md §10); embedded, `db`.
   */
  readonly probe: Database;
  readonly kind: 'embedded' | 'postgres';
  /** Applies the committed drizzle-kit migrations that have not run yet. */
  migrate(): Promise<void>;
  poolStats(): PoolStats | undefined;
  close(): Promise<void>;
}

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  /** The time all of one request's statements may take together (request-budget.ts). */
  readonly requestTimeoutMs?: number;
}

/** When the request being served began (`performance.now()`); `undefined` outside one. */
export type RequestStart = () => number | undefined;

// Resolved from this file so it works from src/ (tsx) and dist/ (build) alike.
/** The committed drizzle-kit migrations (SQL and journal). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** Where the database layer reports failures it recovers from. */
export interface WarnLog {
  warn(details: object, message: string): void;
}

/** How often a migration waits to see whether another process's migration has ended. */
const MIGRATION_LOCK_POLL_MS = 250;

/**
 * Runs `migrate` while this process holds the migration lock of the database `pool` reaches (a
 * session advisory lock): migrations started at once by several processes, one init container
 * per pod, say, run one after another, and the later ones find nothing left to apply. Without it
 * they raced to create the same objects, and all but one failed. The lock is tried, not waited
 * for, since a wait would run into the statement timeouts; the polling waits as long as the other
 * migration takes, and a process that dies mid-migration frees the lock with its session.
 */
async function migrateAlone(
  pool: pg.Pool,
  migrate: (session: NodePgDatabase) => Promise<void>,
): Promise<void> {
  // sql: advisory locks have no builder; the key is the hash of a name that says whose it is.
  const key = sql`hashtext('keel:migrations')`;
  // A lost connection is closed with its session, which frees the lock; its unlock below then
  // fails with the same error as the statement that lost it.
  return onPooledClient(pool, async (client) => {
    const session = drizzleOn(client);
    for (;;) {
      // sql: as above, the lock taken only if it is free.
      const { rows } = await session.execute<{ locked: boolean }>(
        sql`select pg_try_advisory_lock(${key}) as locked`,
      );
      if (rows[0]?.locked === true) break;
      await sleep(MIGRATION_LOCK_POLL_MS);
    }
    try {
      // On the session that holds the lock: a pool of one connection has no other to give.
      await migrate(session);
    } finally {
      // sql: as above, the lock given back.
      await session.execute(sql`select pg_advisory_unlock(${key})`);
    }
  });
}

/** How long a statement's answer is waited for: past it, the network lost it. */
const queryTimeoutOf = (options: PostgresOptions): number =>
  options.statementTimeoutMs + options.connectionTimeoutMs;

/** A node-postgres pool of `max` connections to `options.url`, bounded as Keel bounds them all. */
function openPool(options: PostgresOptions, max: number, log: WarnLog): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    // The server ends a statement at statement_timeout and says so; an answer that has not come
    // by then plus the time a connection may take to open is not coming (a partition drops
    // packets without a reset, and TCP would wait for minutes). The statement fails as a lost
    // connection, which `transaction` and the pool then close.
    query_timeout: queryTimeoutOf(options),
  });
  // The server may end an idle connection (restart, failover, idle timeout). The pool drops it
  // and opens a new one on demand; without a listener the 'error' event would kill the process.
  pool.on('error', (error: Error & { code?: string }) => {
    log.warn({ code: error.code, message: error.message }, 'idle database connection failed');
  });
  return pool;
}

/**
 * Keel's pool on `options.url`. With `requestTimeoutMs` and `requestStart` (the server passes
 * both), the statements of one request keep to that time together (spec.md §4); the database
 * commands and the tests that pass neither are bounded per statement alone.
 */
export function connectPostgres(
  options: PostgresOptions,
  log: WarnLog,
  requestStart?: RequestStart,
): DatabaseHandle {
  const pool = openPool(options, options.poolSize, log);
  const budget =
    options.requestTimeoutMs === undefined || requestStart === undefined
      ? undefined
      : {
          timeoutMs: options.requestTimeoutMs,
          startedAt: requestStart,
          queryTimeoutMs: queryTimeoutOf(options),
        };
  // Opened on readiness's first check, so the database commands, which never check, never open it.
  const probePool = openPool(options, 1, log);
  return {
    db: drizzleOn(pool, budget),
    probe: drizzleOn(probePool),
    kind: 'postgres',
    migrate: () =>
      migrateAlone(pool, (session) =>
        migrateNodePg(session, { migrationsFolder: MIGRATIONS_FOLDER }),
      ),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: async () => {
      await Promise.all([pool.end(), probePool.end()]);
    },
  };
}

/**
 * Wraps an open PGlite instance: a data directory, memory, or a loaded dump in tests.
 * `logger` sees every statement (the tests count them to prove there is no N+1).
 */
export function embedded(client: PGlite, logger?: Logger): DatabaseHandle {
  const db = drizzlePglite({ client, ...(logger !== undefined && { logger }) });
  return {
    db,
    // One connection serves everything, and a statement waits only for the one before it.
    probe: db,
    kind: 'embedded',
    migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    poolStats: () => undefined,
    close: () => client.close(),
  };
}

/**
 * PGlite persisting to `dataDir` (created if missing), held by this process until closed: a
 * second process opening it is refused (`lockDataDir`).
 */
export async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  let handle: DatabaseHandle;
  try {
    handle = embedded(await PGlite.create({ dataDir }));
  } catch (error) {
    await unlock();
    throw error;
  }
  return {
    ...handle,
    async close() {
      await handle.close();
      await unlock();
    },
  };
}

/**
 * The database `config` names: a pool on `DATABASE_URL`, else the embedded one under
 * `DATA_DIR`. The server and the database commands open it the same way; the server also says
 * when each request began (`connectPostgres`).
 */
export function openConfiguredDatabase(
  config: Config,
  log: WarnLog,
  requestStart?: RequestStart,
): Promise<DatabaseHandle> {
  return config.database.kind === 'postgres'
    ? Promise.resolve(connectPostgres(config.database, log, requestStart))
    : openEmbedded(`${config.dataDir}/pglite`);
}
