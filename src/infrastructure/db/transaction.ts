import { drizzle } from 'drizzle-orm/node-postgres';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Database } from './database.js';
import { isConnectionLost } from './retry.js';

/** The node-postgres pool under `database`, if it is on one (an embedded database is not). */
function poolOf(database: Database): pg.Pool | undefined {
  // Drizzle keeps the client it was built on as `$client`, which the shared type leaves out.
  const { $client } = database as { $client?: unknown };
  return $client instanceof pg.Pool ? $client : undefined;
}

/**
 * Runs `work` in a transaction of its own on `database`: the one way Keel opens one (lint keeps
 * `.transaction(` to this file). On PostgreSQL it checks a connection out of the pool itself and
 * gives back one whose connection was lost as failed, so the pool closes it instead of handing it
 * out again. Drizzle's own transaction on a pool returns every connection as healthy, and keeps
 * one whose `BEGIN` failed checked out for good: after a network fault (a partition, where an
 * answer never comes until `query_timeout`), the pool was left with connections that would never
 * answer again, and every request failed until a restart.
 */
export async function transaction<T>(
  database: Database,
  work: (transaction: Database) => Promise<T>,
  config?: PgTransactionConfig,
): Promise<T> {
  const pool = poolOf(database);
  if (pool === undefined) return database.transaction(work, config);
  const client = await pool.connect();
  let lost: Error | undefined;
  try {
    // Drizzle on the one checked-out client: it runs BEGIN, `work`, then COMMIT or ROLLBACK there.
    return await drizzle({ client }).transaction(work, config);
  } catch (error) {
    if (error instanceof Error && isConnectionLost(error)) lost = error;
    throw error;
  } finally {
    client.release(lost);
  }
}
