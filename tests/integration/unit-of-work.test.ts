import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, DatabaseHandle } from '../../src/infrastructure/db/database.js';
import { tagsTable } from '../../src/infrastructure/db/schema/articles.js';
import {
  afterCommit,
  beforeCommit,
  executorFor,
  insideUnitOfWork,
  inUnitOfWork,
  transactionOn,
} from '../../src/infrastructure/db/unit-of-work.js';
import { writeRetry } from '../../src/infrastructure/db/retry.js';
import { openTestDatabase } from '../helpers/app.js';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase();
});
afterAll(() => handle.close());

async function tagCount(on: Database = handle.db): Promise<number> {
  const [row] = await on.select({ count: count() }).from(tagsTable);
  return row?.count ?? 0;
}

const once = <T>(attempt: () => Promise<T>): Promise<T> => attempt();

describe('unit of work', () => {
  it('outside one, repositories use the database and callbacks run at once', async () => {
    const ran: string[] = [];
    expect(executorFor(handle.db)).toBe(handle.db);
    expect(insideUnitOfWork()).toBe(false);
    await beforeCommit(() => {
      ran.push('before');
      return Promise.resolve();
    });
    await afterCommit(() => {
      ran.push('after');
      return Promise.resolve();
    });
    expect(ran).toEqual(['before', 'after']);
  });

  it('runs the work queued for before the commit last, in order, inside the transaction', async () => {
    const before = await tagCount();
    const ran: string[] = [];
    await inUnitOfWork(handle.db, async (tx) => {
      await beforeCommit(async () => {
        await tx.insert(tagsTable).values({ name: 'queued-first' });
        ran.push(`first: ${String(await tagCount(tx))}`);
      });
      await beforeCommit(() => {
        ran.push('second');
        return Promise.resolve();
      });
      await tx.insert(tagsTable).values({ name: 'written-at-once' });
      ran.push('work done');
    });
    // The queued insert ran after the work, in its transaction, and committed with it.
    expect(ran).toEqual(['work done', `first: ${String(before + 2)}`, 'second']);
    expect(await tagCount()).toBe(before + 2);
  });

  it('rolls back what the work queued for before the commit when that work fails', async () => {
    const before = await tagCount();
    await expect(
      inUnitOfWork(handle.db, async (tx) => {
        await tx.insert(tagsTable).values({ name: 'kept-until-the-end' });
        await beforeCommit(() => Promise.reject(new Error('counter refused')));
      }),
    ).rejects.toThrow('counter refused');
    expect(await tagCount()).toBe(before);
  });

  it('joins every transaction on its database and commits them together', async () => {
    const before = await tagCount();
    const ran: string[] = [];
    await inUnitOfWork(handle.db, async () => {
      expect(insideUnitOfWork()).toBe(true);
      expect(executorFor(handle.db)).not.toBe(handle.db);
      await transactionOn(
        handle.db,
        async (tx) => {
          // The joined transaction is the unit's own, not a new one.
          expect(tx).toBe(executorFor(handle.db));
          await tx.insert(tagsTable).values({ name: 'unit-one' });
        },
        once,
      );
      await executorFor(handle.db).insert(tagsTable).values({ name: 'unit-two' });
      await afterCommit(async () => {
        ran.push(`after commit: ${String(await tagCount())}`);
      });
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual([`after commit: ${String(before + 2)}`]);
  });

  it('rolls everything back together, and then runs no callback', async () => {
    const before = await tagCount();
    const ran: string[] = [];
    await expect(
      inUnitOfWork(handle.db, async () => {
        await transactionOn(
          handle.db,
          (tx) => tx.insert(tagsTable).values({ name: 'rolled-back' }),
          once,
        );
        await afterCommit(() => {
          ran.push('should not run');
          return Promise.resolve();
        });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(ran).toEqual([]);
    expect(await tagCount()).toBe(before);
  });

  it('queues afresh for each attempt: a unit run again runs its queued work once', async () => {
    const before = await tagCount();
    let attempts = 0;
    await transactionOn(
      handle.db,
      async (tx) => {
        attempts++;
        await beforeCommit(async () => {
          await tx.insert(tagsTable).values({ name: 'queued-per-attempt' });
          // What PostgreSQL answers a transaction it chose to roll back.
          if (attempts === 1)
            throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        });
      },
      (attempt) => writeRetry.execute(attempt),
    );
    expect(attempts).toBe(2);
    expect(await tagCount()).toBe(before + 1);
  });

  it('leaves other databases alone (a replica is never joined)', async () => {
    const other = await openTestDatabase();
    try {
      const seen = await inUnitOfWork(handle.db, () => Promise.resolve(executorFor(other.db)));
      expect(seen).toBe(other.db);
    } finally {
      await other.close();
    }
    // A second PGlite database of its own takes seconds to load on a busy machine.
  }, 60_000);
});
