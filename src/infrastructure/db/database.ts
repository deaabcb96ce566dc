import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Config } from '../../core/config.js';
import { lockDataDir } from './data-dir-lock.js';

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
}

// Resolved from this file so it works from src/ (tsx) and dist/ (build) alike.
/** The committed drizzle-kit migrations (SQL and journal). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/** Where the database layer reports failures it recovers from. */
export interface WarnLog {
  warn(details: object, message: string): void;
}

export function connectPostgres(options: PostgresOptions, log: WarnLog): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    // The server ends a statement at statement_timeout and says so; an answer that has not come
    // by then plus the time a connection may take to open is not coming (a partition drops
    // packets without a reset, and TCP would wait for minutes). The statement fails as a lost
    // connection, which `transaction` and the pool then close.
    query_timeout: options.statementTimeoutMs + options.connectionTimeoutMs,
  });
  // The server may end an idle connection (restart, failover, idle timeout). The pool drops it
  // and opens a new one on demand; without a listener the 'error' event would kill the process.
  pool.on('error', (error: Error & { code?: string }) => {
    log.warn({ code: error.code, message: error.message }, 'idle database connection failed');
  });
  const db = drizzleNodePg({ client: pool });
  return {
    db,
    kind: 'postgres',
    migrate: () => migrateNodePg(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
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
 * `DATA_DIR`. The server and the database commands open it the same way.
 */
export function openConfiguredDatabase(config: Config, log: WarnLog): Promise<DatabaseHandle> {
  return config.database.kind === 'postgres'
    ? Promise.resolve(connectPostgres(config.database, log))
    : openEmbedded(`${config.dataDir}/pglite`);
}
