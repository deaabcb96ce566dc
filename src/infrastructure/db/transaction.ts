import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Database } from './database.js';
import { isConnectionLost } from './retry.js';

/** Drizzle on a node-postgres pool or on one of its connections: how Keel builds every one. */
export function drizzleOn(client: pg.Pool | pg.PoolClient): NodePgDatabase {
  return drizzle({ client });
}

/** The node-postgres pool under `database`, if it is on one (an embedded database is not). */
function poolOf(database: Database): pg.Pool | undefined {
  // Drizzle keeps the client it was built on as `$client`, which the shared type leaves out.
  const { $client } = database as { $client?: unknown };
  return $client instanceof pg.Pool ? $client : undefined;
}

/**
 * Runs `work` on a connection checked out of `pool`, and gives it back as failed when it was
 * lost, so the pool closes it instead of handing it out again. From its first lost statement on,
 * each statement `work` sends fails at once with that error: node-postgres would queue it behind
 * the statement whose answer never came, so a ROLLBACK after a partition waited for a second
 * `query_timeout`. (`work` sees the connection with `query` replaced; Drizzle, its only caller,
 * uses its promise form alone.)
 */
export async function onPooledClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let lost: Error | undefined;
  const guarded = Object.create(client, {
    query: {
      value: async (...args: unknown[]): Promise<unknown> => {
        if (lost !== undefined) throw lost;
        try {
          return await query(...args);
        } catch (error) {
          if (error instanceof Error && isConnectionLost(error)) lost = error;
          throw error;
        }
      },
    },
  }) as pg.PoolClient;
  try {
    return await work(guarded);
  } finally {
    client.release(lost);
  }
}

/**
 * Runs `work` in a transaction of its own on `database`: the one way Keel opens one (lint keeps
 * `.transaction(` to this file). On PostgreSQL it runs on a connection of `onPooledClient`:
 * Drizzle's own transaction on a pool gives every connection back as healthy, and keeps one
 * whose `BEGIN` failed checked out for good, so after a network fault (a partition, where an
 * answer never comes until `query_timeout`) the pool was left with connections that would never
 * answer again, and every request failed until a restart.
 */
export function transaction<T>(
  database: Database,
  work: (transaction: Database) => Promise<T>,
  config?: PgTransactionConfig,
): Promise<T> {
  const pool = poolOf(database);
  if (pool === undefined) return database.transaction(work, config);
  // Drizzle on the one checked-out connection runs BEGIN, `work`, then COMMIT or ROLLBACK there.
  return onPooledClient(pool, (client) => drizzleOn(client).transaction(work, config));
}
