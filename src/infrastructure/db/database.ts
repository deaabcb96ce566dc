import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { mkdir } from 'node:fs/promises';
import pg from 'pg';

/** The one database type repositories and queries see, whatever the driver underneath. */
export type Database = PgDatabase<PgQueryResultHKT>;

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: 'embedded' | 'postgres';
  /** Applies the committed drizzle-kit migrations that have not run yet. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly statementTimeoutMs: number;
  readonly connectionTimeoutMs: number;
}

// Resolved from this file so it works from src/ (tsx) and dist/ (build) alike.
const MIGRATIONS_FOLDER = new URL('../../../drizzle', import.meta.url).pathname;

export function connectPostgres(options: PostgresOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
  });
  const db = drizzleNodePg({ client: pool });
  return {
    db,
    kind: 'postgres',
    migrate: () => migrateNodePg(db, { migrationsFolder: MIGRATIONS_FOLDER }),
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
    close: () => client.close(),
  };
}

/** PGlite persisting to `dataDir` (created if missing). */
export async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  await mkdir(dataDir, { recursive: true });
  return embedded(await PGlite.create({ dataDir }));
}
