import { and, eq, lt, sql } from 'drizzle-orm';
import {
  IDEMPOTENCY_RETENTION_HOURS,
  type IdempotencyOutcome,
  type IdempotencyStore,
  type KeyedRequest,
  type StoredAnswer,
} from '../../core/idempotency.js';
import type { Database } from './database.js';
import { lockNotAvailable } from './pg-errors.js';
import { writeRetry } from './retry.js';
import { idempotencyKeysTable as keys } from './schema/idempotency.js';
import { executorFor, inUnitOfWork } from './unit-of-work.js';

/** The claim waited `lock_timeout` for another request holding the same key. */
class ClaimTimedOut extends Error {}

/**
 * Idempotency keys in PostgreSQL (spec.md §4). The claim is an insert into the primary key, so a
 * duplicate's insert waits for the first request's transaction: committed → its answer is
 * replayed; rolled back → the duplicate runs itself; still running after `waitMs` → busy.
 */
export function createIdempotencyStore(database: Database, waitMs: number): IdempotencyStore {
  // sql: the age cut-off on the database's clock, the one that wrote created_at.
  const expired = lt(
    keys.createdAt,
    sql`now() - make_interval(hours => ${IDEMPOTENCY_RETENTION_HOURS})`,
  );

  return {
    async once<Result>(
      request: KeyedRequest,
      work: () => Promise<{ readonly result: Result; readonly answer: StoredAnswer }>,
    ): Promise<IdempotencyOutcome<Result>> {
      const { scope, key, fingerprint } = request;
      const thisKey = and(eq(keys.scope, scope), eq(keys.key, key));
      try {
        // Rolled back by a deadlock or serialization failure: nothing was kept, run it all again.
        return await writeRetry.execute(() =>
          inUnitOfWork(database, async (): Promise<IdempotencyOutcome<Result>> => {
            const db = executorFor(database);
            // The claim, in one round trip. Its source row sets lock_timeout before the insert
            // can wait on another request's uncommitted row with this key, so that wait ends
            // after `waitMs`. The row it returns, if it claimed the key, resets lock_timeout
            // (set_config with null is SET LOCAL … TO DEFAULT), so the effect's own locks wait as
            // the connection's settings say. A claim that returns nothing keeps `waitMs`: only
            // the stored answer is read after it. The table's lock is taken before the source
            // row, so a claim behind a migration's waits the statement timeout, not `waitMs`. A
            // key past its retention that the cleanup has not deleted yet is claimed afresh.
            const claimed = await db
              .insert(keys)
              .select(
                // sql: set_config has no builder, and Drizzle's typed source needs a table. The
                // source row lists every column in the table's order, as Drizzle names them all:
                // scope, key, fingerprint, status, answer, created_at (a column added to the
                // table fails every keyed request, and tests/integration/idempotency*.test.ts).
                sql`select ${scope}, ${key}, ${fingerprint}, null, null, now() from (select set_config('lock_timeout', ${`${String(waitMs)}ms`}, true)) as bounded`,
              )
              .onConflictDoUpdate({
                target: [keys.scope, keys.key],
                set: { fingerprint, status: null, answer: null, createdAt: sql`now()` },
                setWhere: expired,
              })
              // sql: set_config has no builder.
              .returning({ reset: sql`set_config('lock_timeout', null, true)` })
              .catch((error: unknown) => {
                // Only the claim's own wait means "in use"; a lock timeout in the effect is not.
                throw lockNotAvailable(error)
                  ? new ClaimTimedOut('idempotency key in use', { cause: error })
                  : error;
              });
            if (claimed.length === 0) {
              const [row] = await db
                .select({
                  fingerprint: keys.fingerprint,
                  status: keys.status,
                  answer: keys.answer,
                })
                .from(keys)
                .where(thisKey);
              // A committed row always has its answer (check constraint and one transaction).
              if (row?.status === undefined || row.status === null) {
                throw new Error('idempotency key committed without an answer');
              }
              return row.fingerprint === fingerprint
                ? { kind: 'replay', answer: { status: row.status, kept: row.answer } }
                : { kind: 'reused' };
            }
            const { result, answer } = await work();
            await db
              .update(keys)
              .set({ status: answer.status, answer: answer.kept })
              .where(thisKey);
            return { kind: 'first', result };
          }),
        );
      } catch (error) {
        if (error instanceof ClaimTimedOut) return { kind: 'busy' };
        throw error;
      }
    },

    async expire() {
      const deleted = await database.delete(keys).where(expired).returning({ key: keys.key });
      return deleted.length;
    },
  };
}
