import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Database } from './database.js';
import {
  RequestBudgetSpentError,
  remainingOf,
  withinBudget,
  type Query,
  type RequestBudget,
} from './request-budget.js';
import { isConnectionLost } from './retry.js';

/** The pool under each Database built on one, and the budget its statements keep to. */
const pools = new WeakMap<object, { readonly pool: pg.Pool; readonly budget?: RequestBudget }>();

/**
 * `client.query` within `budget`. On a pool, a request's statement checks its connection out
 * itself (`onPooledClient`), so that what is left of its time is read once it has one: read
 * before the pool's queue, a statement that waited out the rest of its time for a connection was
 * sent all the same, with the time left before the wait. Outside a request, the pool's own.
 */
function boundedQuery(client: pg.Pool | pg.PoolClient, budget: RequestBudget): Query {
  const sent: Query = client.query.bind(client);
  if (!(client instanceof pg.Pool)) return withinBudget(sent, budget);
  return (config, values) =>
    remainingOf(budget) === undefined
      ? sent(config, values)
      : onPooledClient(
          client,
          (connection) => (connection as unknown as { query: Query }).query(config, values),
          budget,
        );
}

/**
 * Drizzle on a node-postgres pool or on one of its connections: how Keel builds every one. With a
 * `budget`, each statement keeps to its request's time (request-budget.ts): Drizzle sees the client
 * through a proxy with `query` replaced. A proxy, not an object inheriting from the client: Drizzle
 * calls more than `query` (its own transaction on a pool calls `connect`, and `$client` is public),
 * and a pool method called on an heir assigns its state (`this._clients = …`) to the heir, so
 * the pool kept counting a connection it had closed, and refused every request once full.
 */
export function drizzleOn(client: pg.Pool | pg.PoolClient, budget?: RequestBudget): NodePgDatabase {
  const query = budget === undefined ? undefined : boundedQuery(client, budget);
  const bounded: typeof client =
    query === undefined
      ? client
      : new Proxy(client, {
          get: (target, key): unknown =>
            key === 'query' ? query : Reflect.get(target, key, target),
        });
  const database = drizzle({ client: bounded });
  if (client instanceof pg.Pool) pools.set(database, { pool: client, ...(budget && { budget }) });
  return database;
}

/**
 * Runs `work` on a connection checked out of `pool`, and gives it back as failed when it was
 * lost, so the pool closes it instead of handing it out again. From its first lost statement on,
 * each statement `work` sends fails at once with that error: node-postgres would queue it behind
 * the statement whose answer never came, so a ROLLBACK after a partition waited for a second
 * `query_timeout`. With a `budget`, each statement keeps to its request's time, and one refused
 * for want of it after another was sent loses the connection too: the ROLLBACK after it would be
 * refused as well, and the connection would go back to the pool inside its transaction; closed,
 * the server rolls the transaction back itself. One refused before any was sent (the time ran out
 * in the pool's queue) leaves the connection as healthy as it came. (`work` sees the connection
 * with `query` replaced; Drizzle, its only caller, uses its promise form alone.)
 */
export async function onPooledClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  budget?: RequestBudget,
): Promise<T> {
  // A request with no time left takes no connection: the first statement would not be sent.
  const remaining = budget === undefined ? undefined : remainingOf(budget);
  if (remaining !== undefined && remaining <= 0) throw new RequestBudgetSpentError();
  const client = await pool.connect();
  let lost: Error | undefined;
  // Whether a statement went out: a connection none did is healthy whatever was refused on it.
  let used = false;
  const send: Query = client.query.bind(client);
  const sent: Query = (config, values) => {
    used = true;
    return send(config, values);
  };
  const query = budget === undefined ? sent : withinBudget(sent, budget);
  const guarded = Object.create(client, {
    query: {
      value: async (config: unknown, values?: unknown): Promise<unknown> => {
        if (lost !== undefined) throw lost;
        try {
          return await query(config, values);
        } catch (error) {
          if (isConnectionLost(error) || (used && error instanceof RequestBudgetSpentError)) {
            lost = error as Error;
          }
          throw error;
        }
      },
    },
  }) as pg.PoolClient;
  // The pool stops listening to a connection it hands out, and node-postgres emits 'error' when
  // one breaks (the server ended it, a reset), during a statement or between two: unheard, the
  // event ended the process. Heard, it loses the connection like a statement that failed so.
  const broke = (error: Error): void => {
    lost ??= error;
  };
  client.on('error', broke);
  try {
    return await work(guarded);
  } finally {
    client.removeListener('error', broke);
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
  const entry = pools.get(database);
  if (entry === undefined) return database.transaction(work, config);
  // Drizzle on the one checked-out connection runs BEGIN, `work`, then COMMIT or ROLLBACK there.
  return onPooledClient(
    entry.pool,
    (client) => drizzleOn(client).transaction(work, config),
    entry.budget,
  );
}
