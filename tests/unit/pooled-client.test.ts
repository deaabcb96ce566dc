import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { RequestBudgetSpentError } from '../../src/infrastructure/db/request-budget.js';
import { onPooledClient } from '../../src/infrastructure/db/transaction.js';

/** A pool of one connection whose statements answer as `answers` says, in turn. */
function poolAnswering(...answers: (() => Promise<unknown>)[]) {
  const query = vi.fn(() => answers.shift()?.() ?? Promise.resolve({ rows: [] }));
  const release = vi.fn();
  // An event emitter, as a node-postgres connection is: it emits 'error' when it breaks.
  const connection = Object.assign(new EventEmitter(), { query, release });
  const pool = { connect: () => Promise.resolve(connection) } as unknown as pg.Pool;
  return { pool, query, release, connection };
}

const timedOut = (): Promise<never> => Promise.reject(new Error('Query read timeout'));

describe('onPooledClient', () => {
  it('gives a healthy connection back as healthy', async () => {
    const { pool, release } = poolAnswering();
    await onPooledClient(pool, (client) => client.query('select 1'));
    expect(release).toHaveBeenCalledWith(undefined);
  });

  it('fails every statement after a lost one at once, and gives the connection back as failed', async () => {
    const { pool, query, release } = poolAnswering(timedOut);
    const outcome = onPooledClient(pool, async (client) => {
      await client.query('update articles set title = $1').catch(async (error: unknown) => {
        // As Drizzle's transaction does: a ROLLBACK on the same connection, then the error.
        await client.query('rollback');
        throw error;
      });
    });
    await expect(outcome).rejects.toThrow('Query read timeout');
    // The ROLLBACK never reached the driver, where it would have queued behind the lost statement.
    expect(query).toHaveBeenCalledOnce();
    expect(release).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Query read timeout' }),
    );
  });

  it('survives a connection that breaks between two statements, and gives it back as failed', async () => {
    const { pool, query, release, connection } = poolAnswering();
    const broken = new Error('Connection terminated unexpectedly');
    const outcome = onPooledClient(pool, async (client) => {
      await client.query('begin');
      // The server ends the connection while the transaction's work runs in the process: an
      // 'error' event nobody listened to would end the process.
      connection.emit('error', broken);
      await client.query('update articles set title = $1');
    });
    await expect(outcome).rejects.toBe(broken);
    expect(query).toHaveBeenCalledOnce();
    expect(release).toHaveBeenCalledWith(broken);
    expect(connection.listenerCount('error')).toBe(0);
  });

  it('gives the connection back as healthy after a statement that failed for another reason', async () => {
    const { pool, query, release } = poolAnswering(() =>
      Promise.reject(Object.assign(new Error('duplicate key'), { code: '23505' })),
    );
    const outcome = onPooledClient(pool, async (client) => {
      await client.query('insert').catch(async (error: unknown) => {
        await client.query('rollback');
        throw error;
      });
    });
    await expect(outcome).rejects.toThrow('duplicate key');
    expect(query).toHaveBeenCalledTimes(2);
    expect(release).toHaveBeenCalledWith(undefined);
  });

  it('closes a connection whose request ran out of time inside its transaction, sending nothing more', async () => {
    const { pool, query, release } = poolAnswering();
    // The request began 2.9 s ago with 3 s for its statements; a query_timeout is 2 s.
    let elapsedMs = 2_900;
    const budget = {
      timeoutMs: 3_000,
      startedAt: () => performance.now() - elapsedMs,
      queryTimeoutMs: 2_000,
    };
    const outcome = onPooledClient(
      pool,
      async (client) => {
        await client.query('begin');
        elapsedMs = 3_100;
        await client.query('update articles set title = $1').catch(async (error: unknown) => {
          await client.query('rollback');
          throw error;
        });
      },
      budget,
    );
    await expect(outcome).rejects.toBeInstanceOf(RequestBudgetSpentError);
    // BEGIN went out with the 100 ms left as its bound; neither the update nor the ROLLBACK did,
    // and the connection, inside its transaction, was given back as failed, to be closed.
    expect(query).toHaveBeenCalledOnce();
    expect(query.mock.calls[0]).toEqual([
      { text: 'begin', query_timeout: expect.any(Number) },
      undefined,
    ]);
    expect(release).toHaveBeenCalledWith(expect.any(RequestBudgetSpentError));
  });

  it('keeps a connection on which nothing was sent: the time ran out while it was awaited', async () => {
    const { query, release, connection } = poolAnswering();
    let elapsedMs = 2_900;
    // The connection comes free once the request has spent its 3 s.
    const pool = {
      connect: () => {
        elapsedMs = 3_100;
        return Promise.resolve(connection);
      },
    } as unknown as pg.Pool;
    const budget = {
      timeoutMs: 3_000,
      startedAt: () => performance.now() - elapsedMs,
      queryTimeoutMs: 2_000,
    };
    await expect(
      onPooledClient(pool, (client) => client.query('begin'), budget),
    ).rejects.toBeInstanceOf(RequestBudgetSpentError);
    expect(query).not.toHaveBeenCalled();
    expect(release).toHaveBeenCalledWith(undefined);
  });

  it('takes no connection for a request with no time left', async () => {
    const { pool, query } = poolAnswering();
    const connect = vi.spyOn(pool, 'connect');
    const budget = {
      timeoutMs: 3_000,
      startedAt: () => performance.now() - 3_001,
      queryTimeoutMs: 2_000,
    };
    await expect(
      onPooledClient(pool, (client) => client.query('begin'), budget),
    ).rejects.toBeInstanceOf(RequestBudgetSpentError);
    expect(connect).not.toHaveBeenCalled();
    expect(query).not.toHaveBeenCalled();
  });
});
