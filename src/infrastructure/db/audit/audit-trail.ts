import { eq, sql } from 'drizzle-orm';
import type { AuditTrail } from '../../../domain/shared/audit.js';
import type { Database } from '../database.js';
import { auditChainHeadTable as head, auditEventsTable } from '../schema/audit.js';
import { openTransactionOn } from '../unit-of-work.js';
import { storedActor } from './actor.js';
import { chainHash } from './chain.js';

/**
 * The audit stream in PostgreSQL (spec.md §8). An append locks the chain's head row, so appends
 * are numbered and chained one at a time in commit order (a lock held to the end of the
 * command's transaction: audited commands are rare, and a failed login is rate-limited).
 */
export function createAuditTrail(
  database: Database,
  requestId: () => string | undefined,
): AuditTrail {
  return {
    async append(entry) {
      const transaction = openTransactionOn(database);
      if (transaction === undefined) {
        throw new Error(`${entry.action} audited outside the transaction of its change`);
      }
      const [end] = await transaction
        .select({
          sequence: head.sequence,
          hash: head.hash,
          // sql: the database's clock (the one every instance shares) in the column's precision,
          // so the time hashed is the time stored.
          now: sql<Date>`date_trunc('milliseconds', now())`.mapWith(
            (value: string | Date) => new Date(value),
          ),
        })
        .from(head)
        .where(eq(head.id, 1))
        .for('update');
      if (end === undefined) throw new Error('the audit chain has no head (migration 0006)');
      const fields = {
        sequence: end.sequence + 1,
        action: entry.action,
        actor: storedActor(entry.actor),
        subjectId: entry.subject ?? null,
        reason: entry.reason ?? null,
        role: entry.role ?? null,
        requestId: requestId() ?? null,
        occurredAt: end.now,
      };
      const hash = chainHash(end.hash, fields);
      await transaction
        .insert(auditEventsTable)
        .values({ ...fields, previousHash: end.hash, hash });
      await transaction.update(head).set({ sequence: fields.sequence, hash }).where(eq(head.id, 1));
    },
  };
}
