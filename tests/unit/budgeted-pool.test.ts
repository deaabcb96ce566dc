import { sql } from 'drizzle-orm';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { drizzleOn } from '../../src/infrastructure/db/transaction.js';

/** A connection that answers every statement with no rows, for a real node-postgres pool. */
class FakeConnection extends EventEmitter {
  _queryable = false;
  _ending = false;

  connect(callback: (error?: Error) => void): void {
    this._queryable = true;
    process.nextTick(callback);
  }

  /** In both of node-postgres's forms: the pool's `query` passes a callback. */
  query(
    _config: unknown,
    _values?: unknown,
    callback?: (error: undefined, result: object) => void,
  ) {
    const result = { rows: [], fields: [], rowCount: 0, command: 'SELECT' };
    if (callback === undefined) return Promise.resolve(result);
    process.nextTick(callback, undefined, result);
    return undefined;
  }

  end(callback?: () => void): void {
    this._ending = true;
    this._queryable = false;
    process.nextTick(() => {
      callback?.();
      this.emit('end');
    });
  }
}

describe('a database whose statements keep to a request budget', () => {
  const budget = { timeoutMs: 10_000, startedAt: () => undefined, queryTimeoutMs: 10_000 };

  it("leaves its pool's state in the pool when Drizzle checks a connection out itself", async () => {
    const pool = new pg.Pool({
      Client: FakeConnection as unknown as typeof pg.Client,
      max: 1,
      idleTimeoutMillis: 5,
      connectionTimeoutMillis: 200,
    });
    const db = drizzleOn(pool, budget);
    // Drizzle's own transaction on a pool (Keel's `transaction` goes around it) checks out a
    // connection with the pool's `connect`, called on the client Drizzle was given.
    await db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
    });
    // Idle past its timeout, the connection is closed and the pool counts it no more...
    await vi.waitFor(() => {
      expect(pool.totalCount).toBe(0);
    });
    // ...so the pool, of one connection, opens another for the next statement.
    await expect(db.execute(sql`select 1`)).resolves.toBeDefined();
    await pool.end();
  });
});
