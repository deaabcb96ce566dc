import { sql } from 'drizzle-orm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { RequestBudgetSpentError } from '../../src/infrastructure/db/request-budget.js';
import { drizzleOn } from '../../src/infrastructure/db/transaction.js';

/** A connection that answers every statement with no rows, for a real node-postgres pool. */
class FakeConnection extends EventEmitter {
  /** Every statement sent, on any connection. */
  static readonly sent: unknown[] = [];
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
    FakeConnection.sent.push(_config);
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

  describe('a statement that waits for a connection', () => {
    /** When the request being served began; its time is 3 s, a query_timeout 2 s. */
    const request = new AsyncLocalStorage<number>();
    const requestBudget = {
      timeoutMs: 3_000,
      startedAt: () => request.getStore(),
      queryTimeoutMs: 2_000,
    };

    /** A pool of one connection, held by another request until `hold` ends. */
    async function busyPool(hold: Promise<unknown>) {
      const pool = new pg.Pool({
        Client: FakeConnection as unknown as typeof pg.Client,
        max: 1,
        connectionTimeoutMillis: 2_000,
      });
      const held = await pool.connect();
      FakeConnection.sent.length = 0;
      // Given back in the holder's own async context, a request that began long ago.
      void request.run(performance.now() - 2_950, async () => {
        await hold;
        held.release();
      });
      return pool;
    }

    it('is not sent when its request spent its time in the queue, and keeps the connection', async () => {
      const pool = await busyPool(sleep(200));
      const db = drizzleOn(pool, requestBudget);
      // 100 ms left when it queues; the connection comes free after 200.
      // Drizzle's queries are lazy: sent by their `then`, called here inside the request.
      const refused = request.run(performance.now() - 2_900, () =>
        db.execute(sql`select 1`).then((result) => result),
      );
      await expect(refused).rejects.toSatisfy(
        (error: Error) => error.cause instanceof RequestBudgetSpentError,
      );
      expect(FakeConnection.sent).toEqual([]);
      expect(pool.totalCount).toBe(1);
      await pool.end();
    });

    it("gets its own request's time, not that of the request that freed the connection", async () => {
      const pool = await busyPool(sleep(50));
      const db = drizzleOn(pool, requestBudget);
      // 2.5 s left, more than a query_timeout: sent as it is. Read in the releasing request's
      // context, 50 ms would be left.
      await request.run(performance.now() - 500, () =>
        db.execute(sql`select 1`).then((result) => result),
      );
      expect(FakeConnection.sent).toEqual([expect.not.objectContaining({ query_timeout: 50 })]);
      expect(FakeConnection.sent[0]).not.toHaveProperty('query_timeout');
      await pool.end();
    });
  });
});
