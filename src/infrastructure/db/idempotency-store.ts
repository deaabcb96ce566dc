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

  // sql: set_config has no builder. Returned by a statement that claimed the key: the effect's
  // own locks then wait as the connection's settings say (null is SET LOCAL … TO DEFAULT).
  const resetLockTimeout = { reset: sql`set_config('lock_timeout', null, true)` };
  /** Only the claim's own wait means "in use"; a lock timeout in the effect is not. */
  const inUse = (error: unknown): never => {
    throw lockNotAvailable(error)
      ? new ClaimTimedOut('idempotency key in use', { cause: error })
      : error;
  };

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
            /** The committed answer's outcome; none for a key past its retention, or gone. */
            const stored = async (): Promise<IdempotencyOutcome<Result> | undefined> => {
              const [row] = await db
                .select({
                  fingerprint: keys.fingerprint,
                  status: keys.status,
                  answer: keys.answer,
                  // sql: the retention test as a column, on the clock that wrote created_at.
                  expired: sql<boolean>`${expired}`,
                })
                .from(keys)
                .where(thisKey);
              if (row === undefined || row.expired) return undefined;
              // A committed row always has its answer (check constraint and one transaction).
              if (row.status === null) {
                throw new Error('idempotency key committed without an answer');
              }
              return row.fingerprint === fingerprint
                ? { kind: 'replay', answer: { status: row.status, kept: row.answer } }
                : { kind: 'reused' };
            };
            /**
             * The claim, in one round trip; true when this request now holds the key. Its source
             * row sets lock_timeout before the insert can wait on another request's uncommitted
             * row with this key, so that wait ends after `waitMs`; a claim that returns nothing
             * keeps `waitMs`. The table's lock is taken before the source row, so a claim behind
             * a migration's waits the statement timeout, not `waitMs`. First DO NOTHING, which
             * neither locks nor writes a committed key's row, so a replay's transaction stays
             * read-only: no transaction id, no WAL flush at its commit. DO UPDATE would lock the
             * row even when its WHERE refuses the update; it runs only for a key past its
             * retention (or deleted by the cleanup since), to take it afresh.
             */
            const claim = async (takeExpired: boolean): Promise<boolean> => {
              const insert = db.insert(keys).select(
                // sql: set_config has no builder, and Drizzle's typed source needs a table. The
                // source row lists every column in the table's order, as Drizzle names them all:
                // scope, key, fingerprint, status, answer, created_at (a column added to the
                // table fails every keyed request, and tests/integration/idempotency*.test.ts).
                sql`select ${scope}, ${key}, ${fingerprint}, null, null, now() from (select set_config('lock_timeout', ${`${String(waitMs)}ms`}, true)) as bounded`,
              );
              const conflict = takeExpired
                ? insert.onConflictDoUpdate({
                    target: [keys.scope, keys.key],
                    // sql: the database clock, the one the retention is measured on.
                    set: { fingerprint, status: null, answer: null, createdAt: sql`now()` },
                    setWhere: expired,
                  })
                : insert.onConflictDoNothing({ target: [keys.scope, keys.key] });
              const claimed = await conflict.returning(resetLockTimeout).catch(inUse);
              return claimed.length > 0;
            };
            if (!(await claim(false))) {
              const answered = await stored();
              if (answered !== undefined) return answered;
              // Past its retention: taken afresh, or inserted anew if the cleanup deleted it
              // meanwhile. If another request took it afresh first, this waited for it, and its
              // answer decides (a replay, or `reused` for a different request); gone again by
              // then, the key is in use for a moment.
              if (!(await claim(true))) return (await stored()) ?? { kind: 'busy' };
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
